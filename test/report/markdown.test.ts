import { renderMarkdown } from '../../lib/report/markdown';
import { fixtureFleet } from './support';

const md = renderMarkdown(fixtureFleet());

/** The Markdown section of one tenant (from its heading to the next tenant or the integrity section). */
function section(id: string): string {
  const start = md.indexOf(`## Tenant ${id}\n`);
  if (start < 0) throw new Error(`no section for ${id}`);
  const rest = md.slice(start + 1);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('Markdown report', () => {
  test('opens with the fleet verdict and a summary row per tenant with levels, verdict, regimes and licence', () => {
    expect(md).toMatch(/^# Isolation evidence pack\n/);
    expect(md).toContain('**FAIL**: 1 of 2 verified tenant(s) fail.');
    expect(md).toContain(
      '| [initech-dental](#tenant-initech-dental) | `666666666666` | eu-west-1 | hardware | pooled | **FAIL** | hipaa, pci-dss | **REVIEW DUE** (review by 2026-06-20, in 19 days) |',
    );
    expect(md).toContain(
      '| [globex-health](#tenant-globex-health) | `555555555555` | eu-west-1 | hardware | hardware | PASS | hipaa | valid (review by 2027-06-30, in 394 days) | 0 errors, 0 warnings |',
    );
    expect(md).toContain(
      '| [hooli-legal](#tenant-hooli-legal) | `777777777777` | us-east-1 | account | - | NOT VERIFIED | sox | **EXPIRED** (review by 2026-03-31, 62 days ago) | not in the inputs |',
    );
  });

  test('names the offending resource, property and value of the failing tenant, with the fix', () => {
    const s = section('initech-dental');
    expect(s).toContain('### Why initech-dental fails');
    expect(s).toMatch(
      /\| `ISO-KMS-1` \| `SharedPlatformDatabase` \| `Properties.KmsKeyId` \| `arn:aws:kms:eu-west-1:999999999999:key\/1234abcd-12ab-34cd-56ef-1234567890ab` \| .*which the tenant's templates do not define.* \| .+ \|/,
    );
    expect(s).toContain('`ToVendorPlatform`');
  });

  test('lists every concern with each rule, its status and its evidence', () => {
    const s = section('globex-health');
    for (const heading of [
      'Account',
      'Network',
      'Database',
      'Search',
      'Keys',
      'Compute',
      'References to outside the tenant',
      'Template verifiability',
    ]) {
      expect(s).toContain(`#### ${heading}\n`);
    }
    expect(s).toMatch(
      /\| `ISO-KMS-1` \| .* \| PASS \| `Database` `Properties.KmsKeyId` = `DataKey`: Database \(database\) is encrypted with the tenant's key DataKey<br>/,
    );
    expect(s).toMatch(/\| `ISO-COMP-1` \| .* \| not applicable \| matched nothing in the templates/);
    expect(s).toMatch(/\| `ISO-HSM-1` \| .* \| above level \(.*\) \| proves hsm, above the hardware level/);
  });

  test('describes the boundary: VPC tenancy, stores, keys and what crosses it', () => {
    expect(section('globex-health')).toContain(
      '- VPC `DataVpc` `10.60.0.0/16`, **dedicated tenancy**: database `Database` (postgres',
    );
    expect(section('globex-health')).toContain('Nothing shared or crossing the boundary was found in the templates.');
    const fake = section('initech-dental');
    expect(fake).toContain('- **Not in a VPC the tenant defines:** database `SharedPlatformDatabase`');
    expect(fake).toMatch(
      /\| peering to a VPC of account 999999999999: vpc-0f00ba4c0ffee1234 \| `ToVendorPlatform` \| `Properties.PeerVpcId` \|/,
    );
  });

  test('maps each regime to controls and cdk-nag packs with the nag result', () => {
    const s = section('globex-health');
    expect(s).toContain('#### HIPAA\n');
    expect(s).toMatch(/\| `HIPAA 164.312\(a\)\(2\)\(iv\)` Encryption and decryption \| evidence passes \| .*`ISO-KMS-1` pass/);
    expect(s).toContain('It is evidence for a control, not an assessment of it');
    expect(s).toContain(
      'cdk-nag packs for HIPAA: `HIPAA.Security` (passed-with-acknowledgements), and AwsSolutions for every tenant.',
    );
    expect(s).toContain(
      '| `AwsSolutions-RDS11` | `/ExclusiveDesk-globex-health/Database/Instance` (Database) | The default PostgreSQL port is kept',
    );
    expect(section('initech-dental')).toMatch(/\| `PCI.DSS.321` \| PCI DSS \| not-recorded \|/);
  });

  test('discloses what is shared with the vendor and AWS', () => {
    const s = section('globex-health');
    expect(s).toContain('### Shared-plane disclosure');
    expect(s).toMatch(/\| Deployment pipeline and its roles \| \*\*CDK deployment roles\*\*/);
    expect(s).toContain(
      '`RestrictDefaultSgHandler` `Properties.Code.S3Bucket` = `cdk-hnb659fds-assets-555555555555-eu-west-1`',
    );
    expect(s).toMatch(/\| The verifier itself \| \*\*Isolation verifier\*\*/);
  });

  test('ends with the SHA-256 of every template, the re-run commands and the limits', () => {
    expect(md).toMatch(
      /\| globex-health \| `ExclusiveDesk-globex-health` \| `test\/fixtures\/report\/assembly\/ExclusiveDesk-globex-health.template.json` \| `[0-9a-f]{64}` \| \d+ \|/,
    );
    expect(md).toContain(
      '```sh\nnpx exclusive-desk verify test/fixtures/report/assembly test/fixtures/report/fleet/initech-dental.template.yaml --format json\n```',
    );
    expect(md).toContain('## What this report can and cannot prove');
    expect(md).toContain('dedicated tenancy is requested, not guaranteed, for RDS');
  });

  test('keeps tables intact when values hold pipes, backticks and markup', () => {
    const pack = fixtureFleet();
    const t = pack.tenants[0]!;
    const hostile = { ...t, failures: [{ ...t.failures[0]!, value: 'a|b`c`', message: '<img src=x> *bold* | pipe' }] };
    const out = renderMarkdown({ ...pack, tenants: [hostile] });
    const row = out.split('\n').find((l) => l.includes('a\\|b'))!;
    expect(row).toContain('`` a\\|b`c` ``');
    expect(row).toContain('\\<img src=x\\> \\*bold\\* \\| pipe');
    // Every row of the failures table has the header's column count.
    const unescaped = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
    expect(unescaped(row)).toBe(unescaped('| Rule | Resource | Property | Value | Finding | Fix |'));
  });
});
