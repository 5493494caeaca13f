import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../lib/assembly/read';
import { isoDate, oneOf, parseCommandArgs } from '../../lib/cli/args';
import { memoryIO, UsageError } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { removeTempDirs, tempDir, writeAssembly } from '../guard/assembly-fixture';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests edit untyped template JSON */

const REPO = path.join(__dirname, '../..');
const F = 'test/fixtures/guard';
const BASELINE: CfnTemplate = JSON.parse(fs.readFileSync(path.join(REPO, F, 'baseline/TenantData.json'), 'utf8'));

async function guard(...args: string[]) {
  const io = memoryIO(REPO);
  const code = await main(['guard', ...args], io);
  return { code, out: io.out, err: io.err };
}

afterAll(removeTempDirs);

describe('exclusive-desk guard', () => {
  test('exits 0 for in-place updates and additions', async () => {
    const { code, out, err } = await guard(`${F}/baseline/TenantData.json`, `${F}/in-place/TenantData.json`);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(
      'ok   update          TenantData/Database (AWS::RDS::DBInstance): updated in place: AllocatedStorage, BackupRetentionPeriod',
    );
    expect(out).toContain('ok   add             TenantData/AttachmentsBucket (AWS::S3::Bucket): added');
    expect(out.trimEnd().split('\n').pop()).toMatch(
      /^guard: passed: no stateful resource is replaced or removed \(1 stack compared/,
    );
  });

  test('exits 1 naming each replaced or removed stateful resource and the property that forces it', async () => {
    const { code, out } = await guard(`${F}/baseline/TenantData.json`, `${F}/replace/TenantData.yaml`);
    expect(code).toBe(1);
    const lines = out.split('\n');
    const line = (id: string) => lines.find((l) => l.includes(`TenantData/${id} `));
    expect(line('Database')).toBe(
      'FAIL replace         TenantData/Database (AWS::RDS::DBInstance): would be replaced: DBInstanceIdentifier "acme-health-desk" -> "acme-health-desk-v2" (requires replacement)',
    );
    expect(line('Vpc')).toMatch(/^FAIL replace .*CidrBlock "10\.20\.0\.0\/16" -> "10\.30\.0\.0\/16"/);
    expect(line('SubnetA')).toMatch(/^FAIL replace .*AWS::EC2::Subnet.*CidrBlock/);
    expect(line('ExportKey')).toMatch(/^FAIL remove .*\(AWS::KMS::Key\): removed from the template/);
    expect(line('SearchDomain')).toMatch(/^FAIL remove .*the candidate adds SearchDomainV2 of the same type/);
    expect(line('AuditLogs')).toMatch(/^FAIL deletion-policy .*from Retain to Delete/);
    expect(lines.at(-2)).toMatch(/^guard: FAILED: 7 findings on stateful resources/);
  });

  test('--format json gives the report with a version', async () => {
    const { code, out } = await guard(
      `${F}/baseline/TenantData.json`,
      `${F}/replace/TenantData.yaml`,
      '--format',
      'json',
    );
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      tool: 'exclusive-desk guard',
      version: 1,
      passed: false,
      summary: { stacksCompared: 1, errors: 7, statefulResources: 11 },
      stacks: [{ stack: 'TenantData', status: 'compared', baselineFile: `${F}/baseline/TenantData.json` }],
    });
    expect(report.findings.find((f: any) => f.logicalId === 'Database')).toEqual({
      severity: 'error',
      kind: 'replace',
      certainty: 'will',
      stack: 'TenantData',
      logicalId: 'Database',
      type: 'AWS::RDS::DBInstance',
      holds: 'the tenant database',
      causes: [
        {
          name: 'DBInstanceIdentifier',
          impact: 'WILL_REPLACE',
          before: 'acme-health-desk',
          after: 'acme-health-desk-v2',
        },
      ],
      message: expect.stringContaining('would be replaced'),
    });
  });

  test.each(['object', 'yaml-string'])(
    'takes `aws cloudformation get-template` output (%s body) as the baseline',
    async (form) => {
      expect((await guard(`${F}/get-template/${form}/TenantData.json`, `${F}/in-place/TenantData.json`)).code).toBe(0);
      expect((await guard(`${F}/get-template/${form}/TenantData.json`, `${F}/replace/TenantData.yaml`)).code).toBe(1);
    },
  );

  describe('one template on each side, named differently (saved `aws cloudformation get-template` output)', () => {
    /** get-template output of the deployed template with `edit` applied, as `--output json` writes it. */
    function savedGetTemplate(file: string, edit: (t: any) => void = () => undefined): string {
      const body = structuredClone(BASELINE) as any;
      edit(body);
      fs.writeFileSync(file, JSON.stringify({ TemplateBody: body, StagesAvailable: ['Original', 'Processed'] }, null, 4));
      return file;
    }
    const tagged = (t: any) => {
      for (const id of ['Database', 'Vpc', 'SearchDomain']) t.Resources[id].Properties.Tags = [{ Key: 'cost-centre', Value: 'cc-7' }];
    };

    test.each(['object', 'yaml-string'])('a tag-only change passes, and the output says how the stacks were paired (%s body)', async (form) => {
      const dir = tempDir();
      const deployed = path.join(dir, 'deployed.json');
      fs.copyFileSync(path.join(REPO, F, 'get-template', form, 'TenantData.json'), deployed);
      const candidate = savedGetTemplate(path.join(dir, 'candidate.json'), tagged);
      const { code, out, err } = await guard(deployed, candidate);
      expect(err).toBe('');
      expect(code).toBe(0);
      const rel = (f: string) => path.relative(REPO, f);
      expect(out.split('\n')[0]).toBe(
        `note: baseline stack deployed (${rel(deployed)}) compared with candidate stack candidate (${rel(candidate)}): each side holds one stack`,
      );
      expect(out).toContain('ok   update          deployed/Database (AWS::RDS::DBInstance): updated in place: Tags');
      expect(out).not.toMatch(/^FAIL/m);
      expect(out.trimEnd().split('\n').pop()).toMatch(/^guard: passed: .*\(1 stack compared, 0 added, 0 removed; 11 stateful resources/);
      const json = JSON.parse((await guard(deployed, candidate, '--format', 'json')).out);
      expect(json.stacks).toEqual([
        { stack: 'deployed', status: 'compared', pairedBy: 'single-stack', candidateStack: 'candidate', baselineFile: rel(deployed), candidateFile: rel(candidate) },
      ]);
    });

    test('a replacement is still caught across the names', async () => {
      const dir = tempDir();
      const deployed = savedGetTemplate(path.join(dir, 'deployed.json'));
      const candidate = savedGetTemplate(path.join(dir, 'candidate.json'), (t) => (t.Resources.Database.Properties.DBInstanceIdentifier = 'other'));
      const { code, out } = await guard(deployed, candidate);
      expect(code).toBe(1);
      expect(out).toContain('FAIL replace         deployed/Database (AWS::RDS::DBInstance): would be replaced: DBInstanceIdentifier');
    });

    test('against an assembly of several stacks: exit 2 with how to pair them, and no removal reported', async () => {
      const dir = tempDir();
      const deployed = savedGetTemplate(path.join(dir, 'deployed.json'));
      const asm = writeAssembly(path.join(dir, 'cdk.out'), [
        { id: 'AcmeData', stackName: 'acme-health-data', template: structuredClone(BASELINE) },
        { id: 'AcmeSearch', stackName: 'acme-health-search', template: { Resources: { Domain: BASELINE.Resources.SearchDomain! } } },
      ]);
      const ambiguous = await guard(deployed, asm);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.out).toBe('');
      expect(ambiguous.err.split('\n')).toHaveLength(2);
      expect(ambiguous.err).toContain("cannot pair the stacks: the baseline's deployed (");
      expect(ambiguous.err).toContain('Say which to compare: --stack deployed=<acme-health-data|acme-health-search>');
      expect(ambiguous.err).not.toMatch(/FAIL|removed from/);

      const narrowed = await guard(deployed, asm, '--stack', 'acme-health-data');
      expect(narrowed.code).toBe(2);
      expect(narrowed.err).toContain('Say which to compare: --stack deployed=acme-health-data ');

      const paired = await guard(deployed, asm, '--stack', 'deployed=acme-health-data');
      expect(paired.err).toBe('');
      expect(paired.code).toBe(0);
      expect(paired.out.split('\n')[0]).toMatch(
        /^note: baseline stack deployed \(.*deployed\.json\) compared with candidate stack acme-health-data \(.*AcmeData\.template\.json\): --stack deployed=acme-health-data$/,
      );
      expect(paired.out).toContain('1 stack compared, 0 added, 0 removed');

      const wrong = await guard(deployed, asm, '--stack', 'deployed=acme-health');
      expect(wrong).toMatchObject({
        code: 2,
        err: 'exclusive-desk guard: --stack deployed=acme-health: the candidate has no stack acme-health; its stacks: acme-health-data, acme-health-search\n',
      });
    });
  });

  test('compares cloud assemblies, including Stage assemblies and nested stacks, by stack name', async () => {
    const shared = { id: 'Shared', template: { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } } as CfnTemplate };
    const search: CfnTemplate = { Resources: { Domain: BASELINE.Resources.SearchDomain! } };
    const stage = (data: CfnTemplate, nested: CfnTemplate) => ({
      AcmeHealth: [{ id: 'AcmeHealthData', stackName: 'acme-health-data', template: data, nested: { Search: nested } }],
    });
    const root = tempDir();
    const baseline = writeAssembly(path.join(root, 'release-41'), [shared], stage(BASELINE, search));
    const same = writeAssembly(path.join(root, 'same'), [shared], stage(BASELINE, search));
    const changed = structuredClone(BASELINE) as any;
    changed.Resources.Database.Properties.Engine = 'mysql';
    const noDomain: CfnTemplate = { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } };
    const candidate = writeAssembly(path.join(root, 'release-42'), [shared], stage(changed, noDomain));

    expect((await guard(baseline, same)).code).toBe(0);
    const { code, out } = await guard(baseline, candidate);
    expect(code).toBe(1);
    expect(out).toContain(
      'FAIL replace         acme-health-data/Database (AWS::RDS::DBInstance): may be replaced: Engine "postgres" -> "mysql" (may require replacement)',
    );
    expect(out).toContain(
      'FAIL remove          acme-health-data/Search/Domain (AWS::OpenSearchService::Domain): removed from the template',
    );
    expect(out).toContain('3 stacks compared');
  });

  test('accepts repeated --baseline and --candidate', async () => {
    const dir = tempDir();
    const other = path.join(dir, 'Other.json');
    fs.writeFileSync(
      other,
      JSON.stringify({ Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'a' } } } }),
    );
    const { code, out } = await guard(
      '--baseline',
      `${F}/baseline/TenantData.json`,
      '--baseline',
      other,
      '--candidate',
      `${F}/in-place/TenantData.json`,
      '--candidate',
      other,
    );
    expect(code).toBe(0);
    expect(out).toContain('2 stacks compared');
  });

  test('--allow acknowledges a finding and --stack must name a stack', async () => {
    const allowed = await guard(
      `${F}/baseline/TenantData.json`,
      `${F}/replace/TenantData.yaml`,
      '--allow',
      'TenantData/Database',
      '--allow',
      'TenantData/ExportKey',
    );
    expect(allowed.code).toBe(1);
    expect(allowed.out).toContain('ACK  replace         TenantData/Database');
    expect(allowed.out).toContain('2 acknowledged');
    const narrowed = await guard(`${F}/baseline/TenantData.json`, `${F}/replace/TenantData.yaml`, '--stack', 'Nope');
    expect(narrowed).toMatchObject({
      code: 2,
      err: 'exclusive-desk guard: --stack Nope matches no stack in the baseline or the candidate\n',
    });
  });

  describe('bad input exits 2 with one line per problem and no stack trace', () => {
    test.each([
      [
        ['missing.json', `${F}/in-place/TenantData.json`],
        /^exclusive-desk guard: baseline: missing\.json: no such file or directory\n$/,
      ],
      [
        [`${F}/baseline/TenantData.json`, 'package.json'],
        /^exclusive-desk guard: candidate: package\.json: not a CloudFormation template: it has no Resources section\n$/,
      ],
      [
        [`${F}/baseline`, `${F}/in-place`],
        /^exclusive-desk guard: baseline: test\/fixtures\/guard\/baseline: is a directory but not a cloud assembly/,
      ],
      [
        [`${F}/baseline/TenantData.json`],
        /^exclusive-desk guard: expected two arguments <baseline> <candidate>, got 1\n$/,
      ],
      [['a', 'b', 'c'], /^exclusive-desk guard: expected 0 to 2 arguments <baseline> <candidate>, got 3: a b c\n$/],
      [['--bogus', 'a', 'b'], /^exclusive-desk guard: Unknown option '--bogus'\n$/],
      [['a', 'b', '--format', 'xml'], /^exclusive-desk guard: --format must be one of text, json, got "xml"\n$/],
      [
        ['a', '--candidate', 'b'],
        /^exclusive-desk guard: give the baseline and candidate either as two arguments or with --baseline\/--candidate, not both\n$/,
      ],
      [['--baseline', 'a'], /^exclusive-desk guard: --baseline and --candidate are both required\n$/],
    ])('guard %j', async (args, message) => {
      const { code, out, err } = await guard(...args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
    });
  });

  test('--help prints the usage', async () => {
    const { code, out } = await guard('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: exclusive-desk guard <baseline> <candidate>/);
  });
});

describe('lib/cli/args', () => {
  const OPTIONS = { name: { type: 'string' }, flag: { type: 'boolean' }, help: { type: 'boolean' } } as const;

  test('parses typed values and positionals', () => {
    const { values, positionals } = parseCommandArgs(['--name', 'x', '--flag', 'p'], OPTIONS, { max: 1 });
    expect(values).toEqual({ name: 'x', flag: true });
    expect(positionals).toEqual(['p']);
  });

  test.each([
    [['--nope'], "Unknown option '--nope'"],
    [['--name'], "Option '--name <value>' argument missing"],
    [['a', 'b'], 'expected 0 to 1 files, got 2: a b'],
    [[], 'expected 1 files, got none'],
  ])('turns %j into a one-line UsageError', (argv, message) => {
    const spec = argv.length === 0 ? { min: 1, max: 1, names: 'files' } : { max: 1, names: 'files' };
    expect(() => parseCommandArgs(argv, OPTIONS, spec)).toThrow(new UsageError(message));
  });

  test('skips the positional count when --help is given', () => {
    expect(parseCommandArgs(['--help'], OPTIONS, { min: 2 }).values.help).toBe(true);
  });

  test('oneOf and isoDate check flag values', () => {
    expect(oneOf('format', undefined, ['a', 'b'], 'a')).toBe('a');
    expect(oneOf('format', 'b', ['a', 'b'], 'a')).toBe('b');
    expect(() => oneOf('format', 'c', ['a', 'b'], 'a')).toThrow('--format must be one of a, b, got "c"');
    expect(isoDate('today', '2026-02-28')).toBe('2026-02-28');
    expect(isoDate('today', undefined)).toBeUndefined();
    expect(() => isoDate('today', '2026-02-30')).toThrow('--today must be a date YYYY-MM-DD, got "2026-02-30"');
  });
});
