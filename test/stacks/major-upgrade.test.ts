import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CfnTemplate } from '../../lib/assembly/read';
import { guardTemplates } from '../../lib/guard';
import { synthFleet, TENANTS_DIR } from '../support/fleet';

/** acme-health synthesized from its manifest as is, and with `database.postgresMajorVersion: 17` added. */
function acmeWith(extra: string): CfnTemplate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'major-upgrade-'));
  fs.writeFileSync(path.join(dir, 'acme-health.yaml'), fs.readFileSync(path.join(TENANTS_DIR, 'acme-health.yaml'), 'utf8') + extra);
  return synthFleet({ tenantsDir: dir, tenant: 'acme-health' }).json['acme-health'] as unknown as CfnTemplate;
}

describe('postgresMajorVersion 16 -> 17 in a tenant manifest', () => {
  let v16: CfnTemplate;
  let v17: CfnTemplate;
  beforeAll(() => {
    v16 = acmeWith('');
    v17 = acmeWith('database:\n  postgresMajorVersion: 17\n');
  }, 120_000);

  test('the new template carries the new family group and allows the major version upgrade', () => {
    const groups = Object.entries(v17.Resources).filter(([, r]) => r.Type === 'AWS::RDS::DBParameterGroup');
    expect(groups.map(([id, r]) => [id, r.Properties?.Family])).toEqual([['DatabaseParameterGroupPostgres1761431801', 'postgres17']]);
    expect(v17.Resources.DatabaseInstanceAA8A5FDE?.Properties).toEqual(
      expect.objectContaining({
        EngineVersion: '17',
        AllowMajorVersionUpgrade: true,
        DBParameterGroupName: { Ref: 'DatabaseParameterGroupPostgres1761431801' },
      }),
    );
  });

  test('the guard passes it as an in-place update of the instance (no stateful replacement)', () => {
    const stackName = 'ExclusiveDesk-acme-health';
    const report = guardTemplates([{ stackName, template: v16, file: 'v16' }], [{ stackName, template: v17, file: 'v17' }]);
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.updates.find((u) => u.logicalId === 'DatabaseInstanceAA8A5FDE')?.properties).toEqual(
      expect.arrayContaining(['EngineVersion', 'DBParameterGroupName']),
    );
  });
});
