/**
 * Nested stacks in templates other people wrote. AWS's own VPCPeering solution (aws-cloudformation-templates,
 * Apache-2.0, read from the shared corpus, not copied) passes one nested stack's output to another
 * (`!GetAtt VPCPeeringRequesterSetupStack.Outputs.VPCPeeringConnectionId`) and a list as `!Join [',', ...]`; a
 * hand-written parent names its nested template by a local path, as `aws cloudformation package` takes it.
 */
import * as path from 'node:path';
import { readInputs, readTemplateFile, type LoadedTemplate } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { evaluateTemplates } from '../../lib/isolation/engine';
import { FIXTURES } from './support';

const PEERING = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'aws-cloudformation-templates', 'Solutions', 'VPCPeering', 'templates');
const read = (file: string, extra: Partial<LoadedTemplate> = {}): LoadedTemplate => {
  const t = readTemplateFile(path.join(PEERING, file), extra);
  if ('message' in t) throw new Error(t.message);
  return t;
};
const MAIN = 'VPCPeering-Requester.main.cfn';
const nestedAs = (logicalId: string) => ({ stackName: `${MAIN}/${logicalId}`, nestedIn: { stackName: MAIN, logicalId } });

describe('AWS VPCPeering solution: a parent and its two nested stacks', () => {
  const main = read(`${MAIN}.yaml`);
  const bound = [main, read('VPCPeering-Requester-Setup.cfn.yaml', nestedAs('VPCPeeringRequesterSetupStack')), read('VPCPeering-Updates.cfn.yaml', nestedAs('VPCPeeringUpdatesStack'))];
  const findings = (templates: LoadedTemplate[], rule: string) =>
    evaluateTemplates(buildTenantModels(templates))[0]!.results.find((r) => r.rule.id === rule)!.findings.map((f) => `${f.kind} ${f.stack}/${f.resource} ${f.path}`);

  test('the parent alone: both nested stacks are could-not-verify, never a pass', () => {
    expect(findings([main], 'ISO-TPL-1')).toEqual([
      `unverifiable ${MAIN}/VPCPeeringRequesterSetupStack Resources.VPCPeeringRequesterSetupStack`,
      `unverifiable ${MAIN}/VPCPeeringUpdatesStack Resources.VPCPeeringUpdatesStack`,
    ]);
  });
  test('bound: one nested stack\'s output given to the other resolves to the peering connection the first defines', () => {
    const [tenant] = buildTenantModels(bound);
    const updates = tenant!.stacks.find((s) => s.name === `${MAIN}/VPCPeeringUpdatesStack`)!;
    const route = updates.resources.get('PeerRoute1')!;
    expect(updates.resolve(route.props.VpcPeeringConnectionId)).toMatchObject([
      { k: 'res', r: { id: 'VPCPeeringConnection', type: 'AWS::EC2::VPCPeeringConnection', stack: { name: `${MAIN}/VPCPeeringRequesterSetupStack` } } },
    ]);
    expect(findings(bound, 'ISO-TPL-1')).toEqual([]);
  });
  test('bound: what the nested stacks deploy is judged: the cross-account peering fails, the routes to it are the tenant\'s own', () => {
    const net4 = findings(bound, 'ISO-NET-4');
    expect(net4).toContain(`violation ${MAIN}/VPCPeeringRequesterSetupStack/VPCPeeringConnection Properties.PeerRoleArn`);
    expect(net4.filter((f) => f.includes('PeerRoute'))).toEqual([]);
    // Security groups come from the parent's own unbound list parameter, joined and passed down: could not verify.
    expect(findings(bound, 'ISO-NET-2')).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `unverifiable ${MAIN}/VPCPeeringUpdatesStack/PeerIngressRule${i} Properties.GroupId`),
    );
  });
});

test('a nested template named by a local TemplateURL is read with its parent, once, and verifies through its outputs', () => {
  const parent = path.join(FIXTURES, 'nested-local', 'parent.yaml');
  const child = path.join(FIXTURES, 'nested-local', 'compute', 'cluster.yaml');
  const result = readInputs([parent, child], { digest: false });
  expect(result.errors).toEqual([]);
  expect(result.templates.map((t) => [t.stackName, t.nestedIn?.logicalId])).toEqual([['parent', undefined], ['parent/Compute', 'Compute']]);
  const [v] = evaluateTemplates(buildTenantModels(result.templates));
  for (const rule of ['ISO-COMP-1', 'ISO-NET-2', 'ISO-TPL-1']) {
    const r = v!.results.find((x) => x.rule.id === rule)!;
    expect([rule, r.status, r.findings]).toEqual([rule, 'pass', []]);
  }
});
