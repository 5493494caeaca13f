import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../lib/assembly/read';
import {
  CONDITIONAL_IN_PLACE,
  GuardInputError,
  guardTemplates,
  propertyImpact,
  referencedIds,
  type GuardOptions,
  type GuardTemplate,
} from '../../lib/guard';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests edit untyped template JSON */
type Resources = Record<string, any>;

const FIXTURES = path.join(__dirname, '../fixtures/guard');
const BASELINE: CfnTemplate = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'baseline/TenantData.json'), 'utf8'));

function stack(template: CfnTemplate, stackName = 'TenantData', env: Partial<GuardTemplate> = {}): GuardTemplate {
  return { stackName, template, file: `${stackName}.json`, ...env };
}

/** The baseline fixture with one edit applied. */
function edit(change: (r: Resources, t: any) => void): CfnTemplate {
  const t = structuredClone(BASELINE) as any;
  change(t.Resources, t);
  return t as CfnTemplate;
}

function guard(candidate: CfnTemplate, options?: GuardOptions) {
  return guardTemplates([stack(BASELINE)], [stack(candidate)], options);
}

function only(report: ReturnType<typeof guard>, logicalId: string) {
  const found = report.findings.filter((f) => f.logicalId === logicalId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('guardTemplates: replacements', () => {
  test('passes an identical candidate with nothing to report', () => {
    const report = guard(structuredClone(BASELINE));
    expect(report.passed).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.updates).toEqual([]);
    expect(report.summary).toMatchObject({ stacksCompared: 1, statefulResources: 11, errors: 0 });
  });

  test.each([
    [
      'DB instance identifier',
      'Database',
      'DBInstanceIdentifier',
      'will',
      (r: Resources) => {
        r.Database.Properties.DBInstanceIdentifier = 'acme-health-desk-2';
      },
    ],
    [
      'DB engine (conditional: treated as a replacement)',
      'Database',
      'Engine',
      'may',
      (r: Resources) => {
        r.Database.Properties.Engine = 'mysql';
      },
    ],
    [
      'DB encryption key',
      'Database',
      'KmsKeyId',
      'will',
      (r: Resources) => {
        r.Database.Properties.KmsKeyId = 'arn:aws:kms:eu-west-1:111111111111:key/other';
      },
    ],
    [
      'VPC CIDR',
      'Vpc',
      'CidrBlock',
      'will',
      (r: Resources) => {
        r.Vpc.Properties.CidrBlock = '10.21.0.0/16';
      },
    ],
    [
      'subnet availability zone',
      'SubnetB',
      'AvailabilityZone',
      'will',
      (r: Resources) => {
        r.SubnetB.Properties.AvailabilityZone = 'eu-west-1c';
      },
    ],
    [
      'subnet CIDR',
      'SubnetA',
      'CidrBlock',
      'will',
      (r: Resources) => {
        r.SubnetA.Properties.CidrBlock = '10.20.8.0/24';
      },
    ],
    [
      'OpenSearch domain name',
      'SearchDomain',
      'DomainName',
      'will',
      (r: Resources) => {
        r.SearchDomain.Properties.DomainName = 'acme-health-search';
      },
    ],
    [
      'secret name',
      'DatabaseSecret',
      'Name',
      'will',
      (r: Resources) => {
        r.DatabaseSecret.Properties.Name = 'exclusive-desk/acme-health/app-v2';
      },
    ],
    [
      'log group name',
      'AuditLogs',
      'LogGroupName',
      'will',
      (r: Resources) => {
        r.AuditLogs.Properties.LogGroupName = '/exclusive-desk/acme-health/audit-v2';
      },
    ],
    [
      'backup vault key',
      'BackupVault',
      'EncryptionKeyArn',
      'will',
      (r: Resources) => {
        r.BackupVault.Properties.EncryptionKeyArn = 'arn:aws:kms:eu-west-1:111111111111:key/other';
      },
    ],
  ])('fails when the %s changes, naming the property', (_what, logicalId, property, certainty, change) => {
    const report = guard(edit(change));
    expect(report.passed).toBe(false);
    const f = only(report, logicalId);
    expect(f).toMatchObject({ kind: 'replace', certainty, severity: 'error', stack: 'TenantData' });
    expect(f.causes.map((c) => c.name)).toContain(property);
    expect(f.message).toContain(property);
  });

  test('a replaced VPC replaces its subnets through VpcId, and says which resource they follow', () => {
    const report = guard(edit((r) => (r.Vpc.Properties.CidrBlock = '10.21.0.0/16')));
    const subnet = only(report, 'SubnetA');
    expect(subnet.certainty).toBe('will');
    expect(subnet.causes).toEqual([
      expect.objectContaining({ name: 'VpcId', impact: 'WILL_REPLACE', replacedReferences: ['Vpc'] }),
    ]);
    expect(subnet.message).toContain('VpcId requires replacement: it references Vpc, which is replaced');
    expect(report.findings.map((f) => f.logicalId)).toEqual(['SubnetA', 'SubnetB', 'Vpc']);
  });

  test('a change of resource type on a logical id is a replacement', () => {
    const report = guard(edit((r) => (r.AuditLogs = { Type: 'AWS::S3::Bucket', Properties: {} })));
    expect(only(report, 'AuditLogs')).toMatchObject({
      kind: 'replace',
      certainty: 'will',
      causes: [expect.objectContaining({ name: 'Type' })],
    });
  });

  test('inherits a conditional replacement through a reference the engine does not propagate', () => {
    // A read replica follows its source; the engine only propagates certain replacements, so the guard does.
    const report = guard(
      edit((r) => {
        r.Database.Properties.Engine = 'mysql';
        r.Replica = {
          Type: 'AWS::RDS::DBInstance',
          Properties: { SourceDBInstanceIdentifier: { Ref: 'Database' }, DBInstanceClass: 'db.r6i.large' },
        };
      }),
    );
    // The replica is new in the candidate: it is an addition, not a finding.
    expect(report.findings.map((f) => f.logicalId)).toEqual(['Database']);

    const withReplica = edit((r) => {
      r.Replica = {
        Type: 'AWS::RDS::DBInstance',
        Properties: { SourceDBInstanceIdentifier: { Ref: 'Database' }, DBInstanceClass: 'db.r6i.large' },
      };
    });
    const candidate = structuredClone(withReplica) as any;
    candidate.Resources.Database.Properties.Engine = 'mysql';
    const chained = guardTemplates([stack(withReplica)], [stack(candidate)]);
    const replica = only(chained, 'Replica');
    expect(replica).toMatchObject({ kind: 'replace', certainty: 'may' });
    expect(replica.causes[0]).toMatchObject({ name: 'SourceDBInstanceIdentifier', replacedReferences: ['Database'] });
  });

  test('follows references written with Fn::Sub', () => {
    const withSub = edit((r) => (r.DatabaseSecret.Properties.Name = { 'Fn::Sub': '${DbSubnetGroup}/app' }));
    const candidate = structuredClone(withSub) as any;
    candidate.Resources.DbSubnetGroup.Properties.DBSubnetGroupName = 'acme-health-db';
    const report = guardTemplates([stack(withSub)], [stack(candidate)]);
    const secret = only(report, 'DatabaseSecret');
    expect(secret).toMatchObject({ kind: 'replace', certainty: 'may' });
    expect(secret.causes[0]).toMatchObject({ name: 'Name', replacedReferences: ['DbSubnetGroup'] });
    // The database follows the subnet group through the engine's own propagation.
    expect(only(report, 'Database').causes[0]).toMatchObject({
      name: 'DBSubnetGroupName',
      replacedReferences: ['DbSubnetGroup'],
    });
  });

  test('ignores replacements of resources that hold no state', () => {
    const report = guard(
      edit((r) => {
        r.VerifierFunction.Properties.FunctionName = 'acme-health-verifier';
        r.ExportKeyAlias.Properties.AliasName = 'alias/acme-health/exports';
      }),
    );
    expect(report.passed).toBe(true);
    expect(report.findings).toEqual([]);
  });
});

describe('guardTemplates: in-place updates and additions', () => {
  test.each([
    [
      'DB AllocatedStorage',
      'Database',
      'AllocatedStorage',
      (r: Resources) => (r.Database.Properties.AllocatedStorage = '200'),
    ],
    ['log retention', 'AuditLogs', 'RetentionInDays', (r: Resources) => (r.AuditLogs.Properties.RetentionInDays = 731)],
    [
      'OpenSearch node count',
      'SearchDomain',
      'ClusterConfig',
      (r: Resources) => (r.SearchDomain.Properties.ClusterConfig.InstanceCount = 6),
    ],
    [
      'KMS key rotation',
      'TenantKey',
      'EnableKeyRotation',
      (r: Resources) => (r.TenantKey.Properties.EnableKeyRotation = false),
    ],
    [
      'custom resource properties',
      'HsmCluster',
      'HsmType',
      (r: Resources) => (r.HsmCluster.Properties.HsmType = 'hsm1.medium'),
    ],
    ['VPC DNS support', 'Vpc', 'EnableDnsHostnames', (r: Resources) => (r.Vpc.Properties.EnableDnsHostnames = false)],
  ])('passes an in-place change of %s', (_what, logicalId, property, change) => {
    const report = guard(edit(change));
    expect(report.passed).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.updates).toEqual([expect.objectContaining({ logicalId, properties: [property] })]);
  });

  test('passes BackupRetentionPeriod as in place with the documented note; --strict fails it', () => {
    const candidate = edit((r) => (r.Database.Properties.BackupRetentionPeriod = 21));
    const report = guard(candidate);
    expect(report.passed).toBe(true);
    expect(report.updates[0]).toMatchObject({ logicalId: 'Database', properties: ['BackupRetentionPeriod'] });
    expect(report.updates[0]!.notes![0]).toMatch(/^BackupRetentionPeriod: .*outage, not a replacement/);

    const strict = guard(candidate, { strict: true });
    expect(strict.passed).toBe(false);
    expect(only(strict, 'Database')).toMatchObject({ kind: 'replace', certainty: 'may' });
  });

  test('passes added stateful resources and lists them', () => {
    const report = guard(edit((r) => (r.Attachments = { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' })));
    expect(report.passed).toBe(true);
    expect(report.additions).toEqual([{ stack: 'TenantData', logicalId: 'Attachments', type: 'AWS::S3::Bucket' }]);
  });
});

describe('guardTemplates: removals', () => {
  test('fails when a KMS key is removed, saying what happens to it', () => {
    const report = guard(
      edit((r) => {
        delete r.ExportKey;
        delete r.ExportKeyAlias;
      }),
    );
    const f = only(report, 'ExportKey');
    expect(f).toMatchObject({ kind: 'remove', certainty: 'will', type: 'AWS::KMS::Key' });
    expect(f.message).toContain('DeletionPolicy Retain: it is kept but no longer managed');
  });

  test('says a removed resource without a retaining policy is deleted', () => {
    const withoutPolicy = edit((r) => delete r.ExportKey.DeletionPolicy);
    const candidate = edit((r) => {
      delete r.ExportKey;
      delete r.ExportKeyAlias;
    });
    const report = guardTemplates([stack(withoutPolicy)], [stack(candidate)]);
    expect(only(report, 'ExportKey').message).toContain('DeletionPolicy Delete (default): it is deleted');
  });

  test('fails on a renamed logical id of an OpenSearch domain and points at the new id', () => {
    const report = guard(
      edit((r) => {
        r.SearchDomainV2 = r.SearchDomain;
        delete r.SearchDomain;
      }),
    );
    const f = only(report, 'SearchDomain');
    expect(f).toMatchObject({
      kind: 'remove',
      possibleRenames: [{ stack: 'TenantData', logicalId: 'SearchDomainV2' }],
    });
    expect(f.message).toContain('renamed logical id');
    expect(report.additions).toEqual([expect.objectContaining({ logicalId: 'SearchDomainV2' })]);
  });

  test('a custom resource for HSM key material is updated in place but its removal fails', () => {
    const report = guard(edit((r) => delete r.HsmCluster));
    expect(only(report, 'HsmCluster')).toMatchObject({ kind: 'remove', type: 'Custom::ExclusiveDeskHsmCluster' });
  });

  test('fails for every stateful resource of a removed stack and passes a removed stateless stack', () => {
    const stateless: CfnTemplate = { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };
    const report = guardTemplates([stack(BASELINE), stack(stateless, 'Alarms')], []);
    expect(report.passed).toBe(false);
    expect(report.findings).toHaveLength(11);
    expect(report.findings.every((f) => f.kind === 'remove' && f.stack === 'TenantData')).toBe(true);
    expect(report.findings[0]!.message).toContain('its stack TenantData is not in the candidate');
    expect(report.stacks).toEqual([
      { stack: 'Alarms', status: 'removed', baselineFile: 'Alarms.json' },
      { stack: 'TenantData', status: 'removed', baselineFile: 'TenantData.json' },
    ]);
  });

  test('a resource moved to another stack is a removal with a hint at the other stack', () => {
    const rest = edit((r) => delete r.BackupVault);
    const other: CfnTemplate = { Resources: { BackupVault: BASELINE.Resources.BackupVault! } };
    const report = guardTemplates([stack(BASELINE)], [stack(rest), stack(other, 'TenantBackup')]);
    expect(only(report, 'BackupVault').possibleRenames).toEqual([{ stack: 'TenantBackup', logicalId: 'BackupVault' }]);
    expect(report.summary).toMatchObject({ stacksCompared: 1, stacksAdded: 1, additions: 1 });
  });

  test('a Condition added to a stateful resource may remove it', () => {
    const report = guard(
      edit((r, t) => {
        t.Conditions = { KeepSearch: { 'Fn::Equals': ['a', 'a'] } };
        r.SearchDomain.Condition = 'KeepSearch';
      }),
    );
    expect(only(report, 'SearchDomain')).toMatchObject({
      kind: 'remove',
      certainty: 'may',
      causes: [expect.objectContaining({ name: 'Condition' })],
    });
  });

  test('a redefined Condition (through a nested condition) may remove the resource', () => {
    const before = edit((r, t) => {
      t.Conditions = { Prod: { 'Fn::Equals': ['prod', 'prod'] }, KeepSearch: { Condition: 'Prod' } };
      r.SearchDomain.Condition = 'KeepSearch';
    });
    const after = structuredClone(before) as any;
    after.Conditions.Prod = { 'Fn::Equals': ['prod', 'dev'] };
    const report = guardTemplates([stack(before)], [stack(after)]);
    expect(only(report, 'SearchDomain').message).toContain('the definition of Condition KeepSearch');
    expect(guardTemplates([stack(before)], [stack(structuredClone(before))]).passed).toBe(true);
  });
});

describe('guardTemplates: DeletionPolicy', () => {
  test.each([
    ['Retain', 'Delete', false],
    ['Retain', undefined, false],
    ['Snapshot', 'Delete', false],
    ['Retain', 'Snapshot', true],
    ['Snapshot', 'Retain', true],
    ['Delete', 'Retain', true],
  ])('DeletionPolicy %s -> %s passes: %s', (before, after, passes) => {
    const set = (r: any, v: string | undefined) => {
      if (v === undefined) delete r.DeletionPolicy;
      else r.DeletionPolicy = v;
    };
    const old = edit((r) => set(r.Database, before));
    const now = edit((r) => set(r.Database, after));
    const report = guardTemplates([stack(old)], [stack(now)]);
    expect(report.passed).toBe(passes);
    if (!passes) expect(only(report, 'Database')).toMatchObject({ kind: 'deletion-policy' });
  });
});

describe('guardTemplates: fail closed', () => {
  test('a property the specification does not know, on a stateful AWS type, cannot be verified', () => {
    const report = guard(edit((r) => (r.Database.Properties.FutureProperty = 'x')));
    expect(only(report, 'Database')).toMatchObject({
      kind: 'unverifiable',
      causes: [expect.objectContaining({ name: 'FutureProperty', impact: 'UNKNOWN' })],
    });
  });

  test('a changed Fn::ForEach loop that creates stateful resources cannot be verified', () => {
    const loop = (cidrs: string[]) => [
      'Name',
      cidrs,
      { 'Subnet${Name}': { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } } },
    ];
    const before = edit((r) => (r['Fn::ForEach::Subnets'] = loop(['a', 'b'])));
    const after = edit((r) => (r['Fn::ForEach::Subnets'] = loop(['a'])));
    const report = guardTemplates([stack(before)], [stack(after)]);
    expect(only(report, 'Fn::ForEach::Subnets')).toMatchObject({ kind: 'unverifiable', type: 'Fn::ForEach' });
    const removed = guardTemplates([stack(before)], []);
    expect(only(removed, 'Fn::ForEach::Subnets').message).toContain('AWS::EC2::Subnet is removed');
  });
});

describe('guardTemplates: options and stack matching', () => {
  const replaced = edit((r) => (r.Database.Properties.DBInstanceIdentifier = 'acme-health-desk-2'));

  test('--allow acknowledges a reviewed finding and reports allowances that matched nothing', () => {
    const report = guard(replaced, { allow: ['TenantData/Database', 'TenantData/Gone'] });
    expect(report.passed).toBe(true);
    expect(only(report, 'Database').severity).toBe('acknowledged');
    expect(report.summary).toMatchObject({ errors: 0, acknowledged: 1 });
    expect(report.unusedAllow).toEqual(['TenantData/Gone']);
  });

  test('--stack limits the comparison to the named stacks', () => {
    const report = guardTemplates(
      [stack(BASELINE), stack(BASELINE, 'Other')],
      [stack(replaced), stack(BASELINE, 'Other')],
      {
        stacks: ['Other'],
      },
    );
    expect(report.passed).toBe(true);
    expect(report.stacks.map((s) => s.stack)).toEqual(['Other']);
  });

  test('one stack on each side is compared whatever the names', () => {
    const report = guardTemplates([stack(BASELINE, 'deployed')], [stack(replaced, 'candidate')]);
    expect(report.stacks).toEqual([
      { stack: 'deployed', status: 'compared', pairedBy: 'single-stack', candidateStack: 'candidate', baselineFile: 'deployed.json', candidateFile: 'candidate.json' },
    ]);
    expect(report.findings.map((f) => [f.kind, f.stack, f.logicalId])).toEqual([['replace', 'deployed', 'Database']]);
  });

  test('names from files that leave stacks unpaired on both sides are bad input, never removals', () => {
    const call = () => guardTemplates([stack(BASELINE, 'deployed')], [stack(BASELINE, 'a'), stack(BASELINE, 'b')]);
    expect(call).toThrow(GuardInputError);
    expect(call).toThrow(
      "cannot pair the stacks: the baseline's deployed (deployed.json) and the candidate's a (a.json), b (b.json) have no counterpart of the same name, and a stack name taken from a file name (template or get-template output) need not be the stack's. Say which to compare: --stack deployed=<a|b> (repeatable, one per baseline stack)",
    );
    // Stack names from cloud assemblies are real: a stack renamed in the app is a removal and an addition.
    const asm = (name: string, t: CfnTemplate) => stack(t, name, { assemblyDir: 'cdk.out' });
    const report = guardTemplates([asm('Old', BASELINE), asm('Keep', BASELINE)], [asm('New', BASELINE), asm('Keep', BASELINE)]);
    expect(report.stacks.map((s) => [s.stack, s.status, s.pairedBy])).toEqual([
      ['Keep', 'compared', 'name'],
      ['New', 'added', undefined],
      ['Old', 'removed', undefined],
    ]);
  });

  test('pairs compares named stacks of different names, and only them', () => {
    const report = guardTemplates(
      [stack(BASELINE, 'deployed'), stack(BASELINE, 'Other')],
      [stack(replaced, 'TenantData'), stack(BASELINE, 'Unrelated')],
      { pairs: [{ baseline: 'deployed', candidate: 'TenantData' }] },
    );
    expect(report.stacks).toEqual([
      { stack: 'deployed', status: 'compared', pairedBy: '--stack', candidateStack: 'TenantData', baselineFile: 'deployed.json', candidateFile: 'TenantData.json' },
    ]);
    expect(only(report, 'Database').stack).toBe('deployed');
    expect(() => guardTemplates([stack(BASELINE, 'a')], [stack(BASELINE, 'b')], { pairs: [{ baseline: 'x', candidate: 'b' }] })).toThrow(
      '--stack x=b: the baseline has no stack x; its stacks: a',
    );
    expect(() =>
      guardTemplates([stack(BASELINE, 'a'), stack(BASELINE, 'c')], [stack(BASELINE, 'b')], {
        pairs: [
          { baseline: 'a', candidate: 'b' },
          { baseline: 'c', candidate: 'b' },
        ],
      }),
    ).toThrow('--stack c=b: a stack can be paired only once');
  });

  test('--stateful-type adds a type to protect', () => {
    const candidate = edit((r) => (r.VerifierFunction.Properties.FunctionName = 'renamed'));
    expect(guard(candidate).passed).toBe(true);
    const report = guard(candidate, { extraStatefulTypes: ['AWS::Lambda::Function'] });
    expect(only(report, 'VerifierFunction')).toMatchObject({ kind: 'replace', holds: 'state (--stateful-type)' });
  });

  test('keys a stack name used in several environments by environment', () => {
    const eu = { account: '111111111111', region: 'eu-west-1' };
    const us = { account: '222222222222', region: 'us-east-1' };
    const report = guardTemplates(
      [stack(BASELINE, 'Desk', eu), stack(BASELINE, 'Desk', us)],
      [stack(BASELINE, 'Desk', eu), stack(replaced, 'Desk', us)],
    );
    expect(report.findings.map((f) => f.stack)).toEqual(['Desk (aws://222222222222/us-east-1)']);
  });

  test('rejects a stack name it cannot tell apart', () => {
    expect(() => guardTemplates([stack(BASELINE), stack(BASELINE)], [stack(BASELINE)])).toThrow(GuardInputError);
    expect(() =>
      guardTemplates(
        [stack(BASELINE, 'Desk', { account: '111111111111', region: 'eu-west-1' }), stack(BASELINE, 'Desk')],
        [],
      ),
    ).toThrow(/no account and region/);
  });
});

describe('engine helpers', () => {
  test('propertyImpact asks the CDK diff engine', () => {
    expect(propertyImpact('AWS::RDS::DBInstance', 'DBInstanceIdentifier')).toBe('WILL_REPLACE');
    expect(propertyImpact('AWS::RDS::DBInstance', 'Engine')).toBe('MAY_REPLACE');
    expect(propertyImpact('AWS::RDS::DBInstance', 'AllocatedStorage')).toBe('WILL_UPDATE');
    expect(propertyImpact('Custom::ExclusiveDeskHsmKey', 'KeySpec')).toBe('NO_CHANGE');
  });

  test('referencedIds finds Ref, both Fn::GetAtt forms and Fn::Sub variables, not pseudo parameters', () => {
    expect(
      referencedIds([
        { Ref: 'A' },
        { 'Fn::GetAtt': ['B', 'Arn'] },
        { 'Fn::GetAtt': 'C.Endpoint.Address' },
        { 'Fn::Sub': '${D}-${E.Arn}-${!Literal}-${AWS::Region}' },
        { 'Fn::Sub': ['${F}-${Local}', { Local: 'x' }] },
        { Ref: 'AWS::AccountId' },
      ]).sort(),
    ).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });
});

describe('CONDITIONAL_IN_PLACE', () => {
  test.each(CONDITIONAL_IN_PLACE.map((r) => [r.type, r.property, r] as const))(
    '%s %s only resolves a conditional replacement and cites AWS',
    (type, property, resolution) => {
      // Never an "always replaces" property: the engine must call it MAY_REPLACE.
      expect(propertyImpact(type, property)).toBe('MAY_REPLACE');
      expect(resolution.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    },
  );
});
