import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { main } from '../../lib/cli/main';
import { memoryIO } from '../../lib/cli/io';
import { writeAssembly } from '../guard/assembly-fixture';

const FIX = path.join(__dirname, '..', 'fixtures', 'isolation');
const GENUINE = path.join(FIX, 'genuine-hardware.yaml');
const FAKE = path.join(FIX, 'fake-aws-managed-keys.yaml');

async function run(...argv: string[]) {
  const io = memoryIO(process.cwd());
  const code = await main(['verify', ...argv], io);
  return { code, out: io.out, err: io.err };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('exit codes', () => {
  test('0 when every tenant meets its level', async () => {
    const r = await run(GENUINE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS globex-health/m);
    expect(r.out).toMatch(/1 tenant verified \(template\): 1 pass, 0 fail/);
  });
  test('1 when a tenant fails', async () => {
    const r = await run(FAKE, '--account', 'fake-aws-managed-keys=123456789012');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL fake-aws-managed-keys/);
    expect(r.out).toContain('ISO-KMS-1');
  });
  test('2 for a file that is not a template, with one line on stderr and no stack trace', async () => {
    const bad = path.join(tmp, 'not-a-template.json');
    fs.writeFileSync(bad, '{"hello": "world"}');
    const r = await run(bad);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('not a CloudFormation template: it has no Resources section');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  test('a bad file among good ones is reported and the rest still verified', async () => {
    const bad = path.join(tmp, 'broken.yaml');
    fs.writeFileSync(bad, 'Resources:\n  A: [\n');
    const r = await run(GENUINE, bad, '--format', 'json');
    expect(r.code).toBe(2);
    const json = JSON.parse(r.out);
    expect(json.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['globex-health']);
    expect(json.errors[0].file).toBe(bad);
    expect(json.errors[0].message).toMatch(/YAML syntax error at line/);
  });
  test.each([
    [['--format', 'xml', GENUINE], '--format must be one of text, json, sarif, junit'],
    [['--require', 'gold', GENUINE], '--require must be one of'],
    [['--bogus', GENUINE], "Unknown option '--bogus'"],
    [['--account', 'x=12', GENUINE], 'the account must be 12 digits'],
    [[], 'expected at least one cloud assembly directory or template file'],
    [['/nonexistent/missing.json'], 'no such file or directory'],
  ])('2 for bad input %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('options', () => {
  test('--require raises the level every tenant must reach', async () => {
    const r = await run(GENUINE, '--require', 'hsm', '--format', 'json');
    expect(r.code).toBe(1);
    const t = JSON.parse(r.out).tenants[0];
    expect(t).toMatchObject({ required: 'hsm', achieved: 'hardware', verdict: 'fail' });
  });
  test('--tenant assigns several files to one tenant; the files need no second mention', async () => {
    const a = path.join(tmp, 'keys.json');
    const b = path.join(tmp, 'logs.json');
    fs.writeFileSync(a, JSON.stringify({ Resources: { Key: { Type: 'AWS::KMS::Key' } }, Outputs: { K: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'k' } } } }));
    fs.writeFileSync(b, JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::ImportValue': 'k' } } } } }));
    for (const argv of [
      ['--tenant', `acme=${a}`, '--tenant', `acme=${b}`],
      [a, b, '--tenant', `acme=${a}`, '--tenant', `acme=${b}`], // named twice: still read once
    ]) {
      const r = await run(...argv, '--format', 'json');
      const json = JSON.parse(r.out);
      expect(json.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['acme']);
      expect([...json.tenants[0].stacks].sort()).toEqual(['keys', 'logs']);
      const findings = json.tenants[0].findings.map((f: { rule: string }) => f.rule);
      expect(findings).not.toContain('ISO-REF-1');
      expect(findings).not.toContain('ISO-KMS-1');
    }
  });
  test('one file named for two tenants is two tenants (a fleet deployed from one template)', async () => {
    // The vendor's template without an account in its metadata: each deployment gets its own.
    const template = path.join(tmp, 'desk.yaml');
    fs.writeFileSync(template, fs.readFileSync(GENUINE, 'utf8').replace(/^ {4}account: .*\n/m, ''));
    const r = await run('--tenant', `a=${template}`, '--tenant', `b=${template}`, '--account', 'a=111111111111', '--account', 'b=222222222222', '--format', 'json');
    const json = JSON.parse(r.out);
    expect(json.tenants.map((t: { tenant: string; account: string }) => [t.tenant, t.account]).sort()).toEqual([
      ['a', '111111111111'],
      ['b', '222222222222'],
    ]);
    expect(json.tenants.map((t: { verdict: string }) => t.verdict)).toEqual(['pass', 'pass']);
    expect(r.code).toBe(0);
  });
  test('one file named for two tenants in one account: both fail the shared-account fleet rule', async () => {
    const r = await run('--tenant', `a=${GENUINE}`, '--tenant', `b=${GENUINE}`, '--format', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    for (const t of json.tenants) {
      expect(t.account).toBe('555555555555');
      expect(t.findings.map((f: { rule: string }) => f.rule)).toContain('ISO-ACCT-2');
    }
  });
  test('--tenant on a template inside an input assembly keeps the assembly\'s account, nested stacks included', async () => {
    const asm = writeAssembly(path.join(tmp, 'asm'), [
      { id: 'Keys', env: 'aws://333333333333/eu-west-1', template: { Resources: { Key: { Type: 'AWS::KMS::Key' } } }, nested: { Inner: { Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } } } },
      { id: 'Other', env: 'aws://444444444444/eu-west-1', template: { Resources: { Key: { Type: 'AWS::KMS::Key' } } } },
    ]);
    const r = await run(asm, '--tenant', `acme=${path.join(asm, 'Keys.template.json')}`, '--format', 'json');
    const json = JSON.parse(r.out);
    const tenants = json.tenants.map((t: { tenant: string; account: string; stacks: string[] }) => [t.tenant, t.account, [...t.stacks].sort()]);
    expect(tenants.sort()).toEqual([
      ['Other', '444444444444', ['Other']],
      ['acme', '333333333333', ['Keys', 'Keys/Inner']],
    ]);
  });
  test('2 for --account naming a tenant that has no template, listing the tenants', async () => {
    const r = await run(GENUINE, '--account', 'globex-helth=111111111111');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'exclusive-desk verify: --account globex-helth=111111111111: no tenant globex-helth among the inputs; the tenants are: globex-health\n',
    );
  });
  test('2 for --account naming a tenant that --live does not check', async () => {
    const r = await run('--live', '--tenant', 'acme', '--account', 'globex=111111111111');
    expect(r.code).toBe(2);
    expect(r.err).toBe('exclusive-desk verify: --account globex=111111111111: no tenant globex among the inputs; the tenants are: acme\n');
  });
  test('2 for one tenant given two accounts', async () => {
    const r = await run(GENUINE, '--account', 'globex-health=111111111111', '--account', 'globex-health=222222222222');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--account gives tenant globex-health two accounts: 111111111111 and 222222222222');
  });
  test('--account for a tenant whose file cannot be read is not "unknown": the file error is reported', async () => {
    const missing = path.join(tmp, 'missing.json');
    const r = await run(GENUINE, '--tenant', `gone=${missing}`, '--account', 'gone=111111111111');
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing.json: no such file or directory');
    expect(r.err).not.toContain('no tenant gone');
  });
  test('--output writes the file whole', async () => {
    const out = path.join(tmp, 'result.json');
    const r = await run(GENUINE, '--format', 'json', '--output', out);
    expect(r.out).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).tenants[0].verdict).toBe('pass');
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('formats', () => {
  test('json has the documented shape', async () => {
    const json = JSON.parse((await run(FAKE, '--format', 'json')).out);
    const t = json.tenants[0];
    expect(Object.keys(t)).toEqual(expect.arrayContaining(['tenant', 'account', 'required', 'achieved', 'verdict', 'findings']));
    expect(Object.keys(t.findings[0])).toEqual(expect.arrayContaining(['rule', 'severity', 'resource', 'path', 'message', 'remediation']));
    expect(json.errors).toEqual([]);
  });

  test('sarif is well-formed SARIF 2.1.0 with locations', async () => {
    const sarif = JSON.parse((await run(FAKE, '--format', 'sarif')).out);
    expect(sarif.version).toBe('2.1.0');
    const run0 = sarif.runs[0];
    const ruleIds = run0.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(run0.results.length).toBeGreaterThan(0);
    for (const res of run0.results) {
      expect(ruleIds[res.ruleIndex]).toBe(res.ruleId);
      expect(['error', 'warning']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      expect(res.locations[0].physicalLocation.artifactLocation.uri).toMatch(/fake-aws-managed-keys\.yaml$/);
    }
    const db = run0.results.find((r: { locations: { logicalLocations: { name: string }[] }[] }) => r.locations[0]!.logicalLocations[0]!.name === 'Database');
    expect(db.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
  });

  test('junit is well-formed XML with one testcase per tenant and rule', async () => {
    const xml = (await run(FAKE, GENUINE, '--format', 'junit')).out;
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suites = [doc.testsuites.testsuite].flat();
    expect(suites.map((s: Record<string, string>) => s['@_name']).sort()).toEqual(['fake-aws-managed-keys', 'globex-health']);
    const fake = suites.find((s: Record<string, string>) => s['@_name'] === 'fake-aws-managed-keys');
    expect(Number(fake['@_failures'])).toBeGreaterThan(0);
    const kms = fake.testcase.find((c: Record<string, string>) => String(c['@_name']).startsWith('ISO-KMS-1 '));
    expect(kms.failure).toBeDefined();
  });
});
