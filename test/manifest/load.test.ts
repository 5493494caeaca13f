import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManifestError, loadManifests, validateManifests, type ManifestProblem } from '../../lib/manifest/load';
import { TENANTS_DIR, TODAY } from '../support/fleet';

const FILE = 'tenants/acme-health.yaml';
const BASE = `id: acme-health
account: "111111111111"
region: eu-west-1
isolation: hardware
compliance: [hipaa]
licence:
  justification: "PHI in ticket attachments"
  approvedBy: compliance-officer@example.com
  reviewBy: 2027-06-30
network:
  cidr: 10.20.0.0/16
  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]
workload:
  ticketsPerDay: 12000
`;

function problemsOf(inputs: { file: string; text: string }[], today = TODAY): readonly ManifestProblem[] {
  try {
    validateManifests(inputs, { today });
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as ManifestError).problems;
  }
  throw new Error('expected the manifests to be rejected');
}

describe('valid manifests', () => {
  test('the base manifest is accepted with derived partition and its zones', () => {
    const [m] = validateManifests([{ file: FILE, text: BASE }], { today: TODAY });
    expect(m).toMatchObject({
      id: 'acme-health',
      partition: 'aws',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      compliance: ['hipaa'],
      file: FILE,
    });
  });

  test('the example fleet loads: 4 tenants covering account, hardware, hsm and GovCloud', () => {
    const fleet = loadManifests(TENANTS_DIR, { today: TODAY });
    expect(fleet.map((m) => [m.id, m.isolation, m.partition])).toEqual([
      ['acme-health', 'hardware', 'aws'],
      ['contoso-markets', 'hardware', 'aws'],
      ['fedline-gov', 'hsm', 'aws-us-gov'],
      ['northwind-bank', 'account', 'aws'],
    ]);
  });

  test('contoso-markets is judged against the date given, not the clock', () => {
    expect(() => loadManifests(TENANTS_DIR, { today: '2029-03-15' })).not.toThrow();
    expect(() => loadManifests(TENANTS_DIR, { today: '2029-03-16' })).toThrow(
      /contoso-markets\.yaml:\d+: licence\.reviewBy: the licence review date 2029-03-15 has passed \(today is 2029-03-16\)/,
    );
  });
});

const edit = (from: string, to: string): string => {
  if (!BASE.includes(from)) throw new Error(`test setup: ${from} not in base`);
  return BASE.replace(from, to);
};

describe('rejects a bad manifest, naming the file, the field and what is allowed', () => {
  test.each<[string, string, string, RegExp, number | undefined]>([
    ['a YAML syntax error, with its line', edit('region: eu-west-1', 'region: [eu-west-1'), '(yaml)', /^YAML syntax error: /, 4],
    ['a duplicate key', `${BASE}id: other\n`, '(yaml)', /YAML syntax error: Map keys must be unique/, 15],
    ['a file that is not a mapping', '- a\n- b\n', '(file)', /must be a YAML mapping of manifest fields/, undefined],
    ['the typo isolaton, with did-you-mean', edit('isolation: hardware', 'isolaton: hardware'), 'isolaton', /unknown field \(did you mean "isolation"\?\); allowed here: id, account, region, isolation/, 4],
    ['the missing field the typo leaves behind', edit('isolation: hardware', 'isolaton: hardware'), 'isolation', /^is required; must be one of: account, hardware, hsm$/, undefined],
    ['an unknown nested key', edit('  cidr: 10.20.0.0/16', '  cidr: 10.20.0.0/16\n  cidrs: 10.0.0.0/16'), 'network.cidrs', /did you mean "cidr"\?\); allowed here: cidr, searchCidr, availabilityZones/, 12],
    ['a number where text belongs', edit('"111111111111"', '111111111111'), 'account', /^must be text, got 111111111111$/, 2],
    ['text where a number belongs', edit('ticketsPerDay: 12000', 'ticketsPerDay: lots'), 'workload.ticketsPerDay', /^must be a number, got "lots"$/, 14],
    ['a missing section', edit('workload:\n  ticketsPerDay: 12000\n', ''), 'workload', /^is required \(object\)$/, undefined],
    ['zero concurrent agents', edit('ticketsPerDay: 12000', 'ticketsPerDay: 12000\n  concurrentAgents: 0'), 'workload.concurrentAgents', /^must be at least 1$/, 15],
    ['a fractional retention', edit('ticketsPerDay: 12000', 'ticketsPerDay: 12000\n  retentionYears: 2.5'), 'workload.retentionYears', /^must be a whole number of years$/, 15],
    ['a retention beyond 30 years', edit('ticketsPerDay: 12000', 'ticketsPerDay: 12000\n  retentionYears: 99'), 'workload.retentionYears', /^must be at most 30 years$/, 15],
    ['attachments as text', edit('ticketsPerDay: 12000', 'ticketsPerDay: 12000\n  attachmentsGb: lots'), 'workload.attachmentsGb', /^must be a number, got "lots"$/, 15],
    ['a short account id', edit('"111111111111"', '"1234"'), 'account', /must be a 12-digit AWS account id/, 2],
    ['a CIDR with host bits', edit('10.20.0.0/16', '10.20.0.1/16'), 'network.cidr', /has host bits set: "10\.20\.0\.1\/16" is not a network address/, 11],
    ['a CIDR too large for a VPC', edit('10.20.0.0/16', '10.0.0.0/8'), 'network.cidr', /must have a prefix between \/16 and \/24 \(the VPC limits\), got \/8/, 11],
    ['not a CIDR', edit('10.20.0.0/16', 'ten-twenty'), 'network.cidr', /must be an IPv4 CIDR such as 10\.20\.0\.0\/16/, 11],
    ['an unknown region', edit('eu-west-1', 'eu-west-9'), 'region', /must be an AWS region, one of: us-east-1, .*us-gov-east-1/, 3],
    ['an unknown isolation level', edit('isolation: hardware', 'isolation: dedicated'), 'isolation', /^must be one of: account, hardware, hsm$/, 4],
    ['an unknown regime', edit('[hipaa]', '[gdpr]'), 'compliance.0', /must be one of: hipaa, pci-dss, sox, fedramp-moderate, fedramp-high, itar/, 5],
    ['a regime listed twice', edit('[hipaa]', '[hipaa, hipaa]'), 'compliance', /must not list a regime twice/, 5],
    ['an empty justification', edit('"PHI in ticket attachments"', '""'), 'licence.justification', /must say why this customer needs an exclusive deployment \(it is empty\)/, 7],
    ['a blank justification', edit('"PHI in ticket attachments"', '"   "'), 'licence.justification', /it is empty/, 7],
    ['an expired reviewBy', edit('2027-06-30', '2026-05-31'), 'licence.reviewBy', /the licence review date 2026-05-31 has passed \(today is 2026-06-01\): review the licence and set a new date/, 9],
    ['an impossible reviewBy date', edit('2027-06-30', '2027-02-30'), 'licence.reviewBy', /must be a real calendar date YYYY-MM-DD/, 9],
    ['an approver that is not an e-mail address', edit('compliance-officer@example.com', 'nobody'), 'licence.approvedBy', /must be the approver's e-mail address/, 8],
    ['itar outside GovCloud', edit('[hipaa]', '[itar]'), 'region', /regime "itar" only allows us-gov-west-1 or us-gov-east-1, got eu-west-1/, 3],
    ['fedramp-high outside GovCloud', edit('[hipaa]', '[fedramp-high]'), 'region', /regime "fedramp-high" only allows us-gov-west-1 or us-gov-east-1, got eu-west-1/, 3],
    ['an id that does not match the file', edit('id: acme-health', 'id: acme-wealth'), 'id', /must match the file name: the file is acme-health\.yaml but id is "acme-wealth"/, 1],
    ['an id with capitals', edit('id: acme-health', 'id: Acme'), 'id', /lower-case letters, digits and hyphens/, 1],
    ['a burstable class on dedicated hardware', `${BASE}database:\n  instanceClass: db.t4g.large\n`, 'database.instanceClass', /instanceClass "db\.t4g\.large" cannot run in a dedicated-tenancy VPC: burstable .* allowed families: db\.m5\.\*/, 16],
    ['db.serverless (not an RDS instance class)', `${BASE}database:\n  instanceClass: db.serverless\n`, 'database.instanceClass', /must be an RDS instance class such as db\.r6i\.xlarge/, 16],
    ['a previous-generation class on dedicated hardware', `${BASE}database:\n  instanceClass: db.m4.large\n`, 'database.instanceClass', /previous-generation or unknown family/, 16],
    ['a class this tool cannot size', edit('isolation: hardware', 'isolation: account') + 'database:\n  instanceClass: db.q9.large\n', 'database.instanceClass', /is not a class this tool can size/, 16],
    ['short backups for a regulated regime', `${BASE}database:\n  backupRetentionDays: 14\n`, 'database.backupRetentionDays', /must be at least 35 days for regime hipaa, got 14/, 16],
    ['PostgreSQL before 16', `${BASE}database:\n  postgresMajorVersion: 15\n`, 'database.postgresMajorVersion', /must be 16 or later/, 16],
    ['search nodes not spread over 3 zones', `${BASE}search:\n  dataNodes: 4\n`, 'search.dataNodes', /must be a multiple of 3 \(zone awareness over 3 zones\), got 4/, 16],
    ['an hsm section below the hsm level', `${BASE}hsm:\n  hsmType: hsm2m.medium\n`, 'hsm', /applies only to isolation hsm, got isolation hardware/, 16],
    ['a search CIDR at the account level', edit('isolation: hardware', 'isolation: account').replace('  cidr: 10.20.0.0/16', '  cidr: 10.20.0.0/16\n  searchCidr: 10.21.0.0/16'), 'network.searchCidr', /applies only to isolation hardware or hsm/, 12],
    ['a search CIDR overlapping the data CIDR', edit('  cidr: 10.20.0.0/16', '  cidr: 10.20.0.0/16\n  searchCidr: 10.20.128.0/17'), 'network.searchCidr', /must not overlap network\.cidr 10\.20\.0\.0\/16/, 12],
    ['a zone of another region', edit('eu-west-1c]', 'us-east-1c]'), 'network.availabilityZones', /zone us-east-1c is not in region eu-west-1/, 12],
    ['fewer than 3 zones', edit('[eu-west-1a, eu-west-1b, eu-west-1c]', '[eu-west-1a, eu-west-1b]'), 'network.availabilityZones', /must name at least 3 zones/, 12],
    ['a zone named twice', edit('[eu-west-1a, eu-west-1b, eu-west-1c]', '[eu-west-1a, eu-west-1b, eu-west-1a]'), 'network.availabilityZones', /must not name a zone twice/, 12],
    ['no zones: there is no default (names differ per account; ca-central-1 has no c)', edit('  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]\n', ''), 'network.availabilityZones', /^is required: name 3 zones of eu-west-1 that exist in account 111111111111 .*aws ec2 describe-availability-zones --region eu-west-1/, 11],
    ['isolation hsm without a phase', edit('isolation: hardware', 'isolation: hsm'), 'hsm.phase', /^is required at isolation hsm: cluster or complete \(cluster for the first deploy, complete after the initialisation ceremony; docs\/hsm\.md\)$/, 4],
    ['an unknown hsm phase', edit('isolation: hardware', 'isolation: hsm') + 'hsm:\n  phase: keys\n', 'hsm.phase', /^must be one of: cluster, complete$/, 16],
  ])('%s', (_name, text, field, message, line) => {
    const problems = problemsOf([{ file: FILE, text }]);
    const problem = problems.find((p) => p.field === field && message.test(p.message));
    expect(problems).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) }));
    expect(problem!.file).toBe(FILE);
    expect(problem!.message).toMatch(message);
    expect(problem!.line).toBe(line);
  });
});

describe('fleet-wide checks', () => {
  const other = (id: string, account: string): { file: string; text: string } => ({
    file: `tenants/${id}.yaml`,
    text: BASE.replace('id: acme-health', `id: ${id}`).replace('"111111111111"', `"${account}"`),
  });

  test('rejects an account shared by two tenant files', () => {
    const problems = problemsOf([{ file: FILE, text: BASE }, other('acme-two', '111111111111')]);
    expect(problems).toEqual([
      {
        file: 'tenants/acme-two.yaml',
        field: 'account',
        message:
          'account 111111111111 is already used by tenants/acme-health.yaml: an exclusive tenant never shares an account',
      },
    ]);
  });

  test('rejects an id used by two files', () => {
    const problems = problemsOf([
      { file: FILE, text: BASE },
      { file: 'tenants/eu/acme-health.yaml', text: BASE.replace('"111111111111"', '"999999999999"') },
    ]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'tenants/eu/acme-health.yaml',
        field: 'id',
        message: 'id "acme-health" is already used by tenants/acme-health.yaml: tenant ids are unique across the fleet',
      }),
    ]);
  });

  test('collects every problem of every file before failing once', () => {
    const bad1 = edit('isolation: hardware', 'isolaton: hardware');
    const bad2 = other('beta-corp', '222222222222').text.replace('10.20.0.0/16', '10.20.0.1/16').replace('"PHI in ticket attachments"', '""');
    let error: ManifestError | undefined;
    try {
      validateManifests(
        [
          { file: FILE, text: bad1 },
          { file: 'tenants/beta-corp.yaml', text: bad2 },
        ],
        { today: TODAY },
      );
    } catch (e) {
      error = e as ManifestError;
    }
    expect(error?.problems.map((p) => `${p.file} ${p.field}`).sort()).toEqual([
      'tenants/acme-health.yaml isolation',
      'tenants/acme-health.yaml isolaton',
      'tenants/beta-corp.yaml licence.justification',
      'tenants/beta-corp.yaml network.cidr',
    ]);
    expect(error?.message).toMatch(/^4 problems in tenant manifests:\n {2}tenants\/acme-health\.yaml/);
    expect(error?.message).toContain('tenants/beta-corp.yaml:11: network.cidr: has host bits set');
    expect(error?.message).not.toMatch(/\n\s+at /);
  });
});

describe('loadManifests', () => {
  test('rejects a missing directory and an empty one', () => {
    expect(() => loadManifests('/nonexistent/tenants')).toThrow(
      '/nonexistent/tenants: (directory): the tenants directory does not exist',
    );
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
    expect(() => loadManifests(empty)).toThrow('holds no tenant manifest (*.yaml)');
  });
});
