import { Duration } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { DATA_CLASSES, TenantKeys, VIA_SERVICES, tenantKeyPolicy } from '../../constructs/tenant-keys';
import { EXAMPLE_TENANTS, fleetTemplates, testStack, type FleetTemplates } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: { AWS?: unknown; Service?: unknown };
  Action: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const urlJoin = (service: string, region: string) => ({ 'Fn::Join': ['', [`${service}.${region}.`, { Ref: 'AWS::URLSuffix' }]] });

describe.each(EXAMPLE_TENANTS)('TenantKeys of %s', (id) => {
  const m = () => fleet.built.manifests.find((x) => x.id === id)!;
  const root = () => `arn:${m().partition}:iam::${m().account}:root`;

  test('creates one rotating, retained customer-managed key per data class (control plane only at hsm)', () => {
    const classes = m().isolation === 'hsm' ? ['logs', 'secrets'] : [...DATA_CLASSES];
    const t = fleet.templates[id]!;
    t.resourceCountIs('AWS::KMS::Key', classes.length);
    for (const c of classes) {
      t.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          EnableKeyRotation: true,
          PendingWindowInDays: 30,
          Description: `exclusive-desk ${id}: ${c} data`,
        }),
      });
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/exclusive-desk/${id}/${c}` });
    }
  });

  test('key policies name only the tenant account and, for logs, the regional CloudWatch Logs service', () => {
    const policies = new Capture();
    const t = fleet.templates[id]!;
    t.allResourcesProperties('AWS::KMS::Key', { KeyPolicy: policies });
    let statements = 0;
    do {
      for (const s of (policies.asObject() as { Statement: Statement[] }).Statement) {
        statements++;
        expect(s.Effect).toBe('Allow');
        if (s.Principal.AWS !== undefined) {
          expect(s.Principal).toEqual({ AWS: root() });
        } else if (s.Sid === 'TenantAlarmsPublishToEncryptedTopic') {
          // The alarm topic (TenantMonitoring): CloudWatch alarms and RDS events, pinned to the tenant account.
          expect(s.Principal).toEqual({ Service: ['cloudwatch.amazonaws.com', 'events.rds.amazonaws.com'] });
          expect(s.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': m().account } });
        } else {
          expect(s.Principal).toEqual({ Service: urlJoin('logs', m().region) });
          expect(s.Condition).toEqual({
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${m().partition}:logs:${m().region}:${m().account}:log-group:*` },
          });
        }
      }
    } while (policies.next());
    expect(statements).toBeGreaterThan(4);
    // No statement allows "*" (a Deny to "*", such as the alarm topic's TLS-only statement, grants nothing).
    const allows = JSON.stringify(fleet.json[id], (_k, v: unknown) => ((v as { Effect?: string } | null)?.Effect === 'Deny' ? undefined : v));
    expect(/"Principal":\s*(\{"AWS":\s*)?"\*"/.test(allows)).toBe(false);
  });

  test('the tenant account administers keys but uses them only through the data class services', () => {
    const t = fleet.templates[id]!;
    const keys = Object.entries(fleet.json[id]!.Resources).filter(([, r]) => r.Type === 'AWS::KMS::Key');
    for (const [, key] of keys) {
      const doc = key.Properties!.KeyPolicy as { Statement: Statement[] };
      const admin = doc.Statement.find((s) => s.Sid === 'TenantAccountAdministersKey')!;
      expect(admin.Action).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
      expect(admin.Action).not.toContain('kms:*');
      expect(admin.Action).not.toContain('kms:Encrypt');
      for (const s of doc.Statement.filter((x) => x.Sid === 'TenantAccountUsesKeyViaServices' || x.Sid === 'TenantAccountGrantsToServices')) {
        expect(s.Condition!.StringEquals!['kms:CallerAccount']).toBe(m().account);
        expect(s.Condition!.StringEquals!['kms:ViaService']).toBeDefined();
      }
    }
    t.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp(m().isolation === 'hsm' ? 'secrets' : 'database'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'TenantAccountUsesKeyViaServices',
            Principal: { AWS: root() },
            Condition: {
              StringEquals: {
                'kms:ViaService': (m().isolation === 'hsm' ? VIA_SERVICES.secrets : VIA_SERVICES.database).map((svc) =>
                  urlJoin(svc, m().region),
                ),
                'kms:CallerAccount': m().account,
              },
            },
          }),
          Match.objectLike({
            Sid: 'TenantAccountGrantsToServices',
            Condition: Match.objectLike({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }),
          }),
        ]),
      },
    });
  });
});

describe('TenantKeys props', () => {
  const stack = () => testStack();

  test('creates only the requested classes and refuses the others', () => {
    const s = stack();
    const keys = new TenantKeys(s, 'Keys', { tenantId: 'test-tenant', dataClasses: ['logs'] });
    Template.fromStack(s).resourceCountIs('AWS::KMS::Key', 1);
    expect(() => keys.key('database')).toThrow('TenantKeys Test/Keys has no database key (dataClasses excludes it)');
  });

  test.each([
    ['an unknown data class', { dataClasses: ['pii'] as never }, 'dataClasses must be drawn from database, search, logs, backup, secrets, got pii'],
    ['a repeated data class', { dataClasses: ['logs', 'logs'] as never }, 'dataClasses must not repeat a class, got logs, logs'],
    ['a 3-day pending window', { pendingWindow: Duration.days(3) }, 'pendingWindow must be 7-30 days, got 3'],
  ])('throws for %s', (_name, props, message) => {
    expect(() => new TenantKeys(stack(), 'Keys', { tenantId: 't', ...props })).toThrow(message);
  });

  test.each(DATA_CLASSES)('the %s policy has no statement without a tenant principal', (c) => {
    const s = stack();
    const doc = s.resolve(tenantKeyPolicy(s, c).toJSON()) as { Statement: Statement[] };
    for (const st of doc.Statement) {
      if (st.Sid === 'TenantAlarmsPublishToEncryptedTopic') {
        expect(c).toBe('logs');
        expect(st.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
        continue;
      }
      expect(JSON.stringify(st.Principal)).toMatch(/arn:aws:iam::123456789012:root|logs\.eu-west-1\./);
    }
    expect(doc.Statement.some((st) => st.Sid === 'CloudWatchLogsEncryptsTenantLogGroups')).toBe(c === 'logs');
  });
});
