import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { main } from '../../lib/cli/main';
import { memoryIO } from '../../lib/cli/io';

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
  test('--tenant assigns several files to one tenant', async () => {
    const a = path.join(tmp, 'keys.json');
    const b = path.join(tmp, 'logs.json');
    fs.writeFileSync(a, JSON.stringify({ Resources: { Key: { Type: 'AWS::KMS::Key' } }, Outputs: { K: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'k' } } } }));
    fs.writeFileSync(b, JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::ImportValue': 'k' } } } } }));
    const r = await run(a, b, '--tenant', `acme=${a}`, '--tenant', `acme=${b}`, '--format', 'json');
    const json = JSON.parse(r.out);
    expect(json.tenants).toHaveLength(1);
    const findings = json.tenants[0].findings.map((f: { rule: string }) => f.rule);
    expect(findings).not.toContain('ISO-REF-1');
    expect(findings).not.toContain('ISO-KMS-1');
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
