import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { CfnTemplate } from '../../lib/assembly/read';
import { readGetTemplateOutput, readGuardInputs } from '../../lib/guard';
import { removeTempDirs, tempDir, writeAssembly } from './assembly-fixture';

const FIXTURES = path.join(__dirname, '../fixtures/guard');
const BASELINE: CfnTemplate = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'baseline/TenantData.json'), 'utf8'));

afterAll(removeTempDirs);

describe('readGuardInputs', () => {
  test.each(['object', 'yaml-string'])(
    'reads `aws cloudformation get-template` output with a TemplateBody %s',
    (form) => {
      const { templates, errors } = readGuardInputs([path.join(FIXTURES, 'get-template', form, 'TenantData.json')]);
      expect(errors).toEqual([]);
      expect(templates).toHaveLength(1);
      expect(templates[0]).toMatchObject({ stackName: 'TenantData' });
      // The YAML body uses !Ref / !GetAtt short forms; both read back as the baseline.
      expect(templates[0]!.template).toEqual(BASELINE);
    },
  );

  test('reads a TemplateBody that is a JSON string, and YAML get-template output', () => {
    const json = readGetTemplateOutput('Desk.json', JSON.stringify({ TemplateBody: JSON.stringify(BASELINE) }));
    expect(json).toMatchObject({ stackName: 'Desk', template: BASELINE });
    const yaml = readGetTemplateOutput(
      'Desk.yaml',
      stringify({ TemplateBody: BASELINE, StagesAvailable: ['Original'] }),
    );
    expect(yaml).toMatchObject({ stackName: 'Desk', template: BASELINE });
  });

  test('reports a TemplateBody that is not a template', () => {
    expect(readGetTemplateOutput('Desk.json', '{"TemplateBody": "{\\"Foo\\": 1}"}')).toEqual({
      file: 'Desk.json',
      message: 'TemplateBody: not a CloudFormation template: it has no Resources section',
    });
    expect(readGetTemplateOutput('Desk.json', '{"TemplateBody": 42}')).toMatchObject({
      message: expect.stringContaining('neither'),
    });
  });

  test('leaves templates that merely contain a TemplateBody property to the template reader', () => {
    const stackSet = {
      Resources: { Set: { Type: 'AWS::CloudFormation::StackSet', Properties: { TemplateBody: '{}' } } },
    };
    expect(readGetTemplateOutput('Sets.json', JSON.stringify(stackSet))).toBeUndefined();
  });

  test('reads assemblies with nested Stage assemblies and nested stacks, named by stack name', () => {
    const dir = writeAssembly(
      tempDir(),
      [{ id: 'Shared', template: { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } } }],
      {
        AcmeHealth: [
          { id: 'AcmeHealthData', stackName: 'acme-health-data', template: BASELINE, nested: { Search: BASELINE } },
        ],
      },
    );
    const { templates, errors } = readGuardInputs([dir]);
    expect(errors).toEqual([]);
    expect(templates.map((t) => t.stackName).sort()).toEqual(['Shared', 'acme-health-data', 'acme-health-data/Search']);
  });

  test('reports missing paths and non-templates as input errors', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notes.json'), '{"hello": 1}');
    const { templates, errors } = readGuardInputs([path.join(dir, 'missing.json'), path.join(dir, 'notes.json'), dir]);
    expect(templates).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      'no such file or directory',
      'not a CloudFormation template: it has no Resources section',
      'is a directory but not a cloud assembly (no manifest.json)',
    ]);
  });
});
