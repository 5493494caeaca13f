/**
 * ISO-FLEET-1 knows accounts: a name the template chooses (cluster, DB identifier, search domain, export) is one
 * resource only within one account and Region; ids AWS assigns (vpc-, subnet-, hostnames) are one resource anywhere.
 */
import type { Finding } from '../../lib/isolation/rule';
import { tpl, verify, type TenantSpec } from './support';

/** What every tenant deployed from one template carries: fixed names, ARNs built from the pseudo parameters. */
const FROM_ONE_TEMPLATE = tpl({
  Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'desk' } },
  Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'Desk-DB', Engine: 'postgres' } },
  Search: { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'tickets' } },
  Policy: {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'es:ESHttp*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/tickets/*' } },
          { Effect: 'Allow', Action: 'ecs:RunTask', Resource: { 'Fn::Sub': 'arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:cluster/desk' } },
        ],
      },
    },
  },
});
const tenant = (id: string, account: string | undefined, template = FROM_ONE_TEMPLATE, region = 'eu-west-1'): TenantSpec => ({ id, account, region, templates: [template] });
const fleet1 = (...specs: TenantSpec[]) =>
  verify(...specs).map((v) => {
    const r = v.results.find((x) => x.rule.id === 'ISO-FLEET-1')!;
    return { tenant: v.tenant, status: r.status, findings: r.findings.map((f: Finding) => `${f.kind} ${f.resource} ${f.path}: ${f.message}`) };
  });

describe('tenants deployed from one template', () => {
  test('in different accounts share nothing: the same names are different resources', () => {
    expect(fleet1(tenant('a-tenant', '111111111111'), tenant('b-tenant', '222222222222'))).toEqual([
      { tenant: 'a-tenant', status: 'pass', findings: [] },
      { tenant: 'b-tenant', status: 'pass', findings: [] },
    ]);
  });
  test('in one account but different Regions share nothing either', () => {
    expect(fleet1(tenant('a-tenant', '111111111111'), tenant('b-tenant', '111111111111', FROM_ONE_TEMPLATE, 'us-east-1')).map((t) => t.status)).toEqual(['pass', 'pass']);
  });
  test('in one account and Region share the cluster, the database and the domain, and ISO-FLEET-1 names each', () => {
    const [a] = fleet1(tenant('a-tenant', '111111111111'), tenant('b-tenant', '111111111111'));
    expect(a).toEqual({
      tenant: 'a-tenant',
      status: 'fail',
      findings: [
        'violation Policy Properties.PolicyDocument.Statement[0].Resource: search domain arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/tickets in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
        'violation Policy Properties.PolicyDocument.Statement[1].Resource: ECS cluster arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:cluster/desk in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
        'violation Cluster Properties.ClusterName: ECS cluster desk in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
        'violation Db Properties.DBInstanceIdentifier: DB instance Desk-DB in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
        'violation Search Properties.DomainName: search domain tickets in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
      ],
    });
  });
  test('whose accounts are not known cannot be told apart: could not verify, never a pass', () => {
    const [a] = fleet1(tenant('a-tenant', undefined), tenant('b-tenant', '222222222222'));
    expect(a!.status).toBe('unverifiable');
    expect(a!.findings).toContain(
      'unverifiable Cluster Properties.ClusterName: could not verify: ECS cluster desk is also named by tenant b-tenant, and the account or Region of one of them is not known: the verifier cannot tell whether it is one ECS cluster',
    );
  });
});

describe('two tenants in one account', () => {
  const onCluster = (cluster: string) => tpl({ Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: cluster } } });
  test('whose services run on the same cluster, named by its name, share it', () => {
    const [a, b] = fleet1(tenant('a-tenant', '111111111111', onCluster('platform')), tenant('b-tenant', '111111111111', onCluster('platform')));
    expect(a!.findings).toEqual([
      'violation Svc Properties.Cluster: ECS cluster platform in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
    ]);
    expect(b!.status).toBe('fail');
  });
  test('whose services name the same cluster in different accounts do not share it', () => {
    expect(fleet1(tenant('a-tenant', '111111111111', onCluster('platform')), tenant('b-tenant', '222222222222', onCluster('platform'))).map((t) => t.status)).toEqual(['pass', 'pass']);
  });
  test('a cluster ARN of one vendor account named by tenants in different accounts is one cluster', () => {
    const arn = 'arn:aws:ecs:eu-west-1:999999999999:cluster/platform';
    const [a] = fleet1(tenant('a-tenant', '111111111111', onCluster(arn)), tenant('b-tenant', '222222222222', onCluster(arn)));
    expect(a!.findings).toEqual([
      `violation Svc Properties.Cluster: ECS cluster ${arn} in account 999999999999 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it`,
    ]);
  });

  const importing = tpl({ Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', VpcId: { 'Fn::ImportValue': 'platform-vpc-id' } } } });
  test('importing the same export share what it exports', () => {
    const [a] = fleet1(tenant('a-tenant', '111111111111', importing), tenant('b-tenant', '111111111111', importing));
    expect(a!.findings).toEqual([
      'violation Sg Properties.VpcId: export platform-vpc-id in account 111111111111 and Region eu-west-1 is also named by tenant b-tenant in that account and Region: they share it',
    ]);
  });
  test('importing an export of the same name in different accounts share nothing (ISO-REF-1 still fails each)', () => {
    const verdicts = verify(tenant('a-tenant', '111111111111', importing), tenant('b-tenant', '222222222222', importing));
    for (const v of verdicts) {
      expect(v.results.find((r) => r.rule.id === 'ISO-FLEET-1')!.status).toBe('pass');
      expect(v.findings.map((f) => f.rule)).toContain('ISO-REF-1');
    }
  });
  test('one exporting what the other imports share it; two exports of one name alone are not a share', () => {
    const exporting = tpl(
      { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } },
      { Outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: 'platform-vpc-id' } } } },
    );
    const [a, b] = fleet1(tenant('a-tenant', '111111111111', exporting), tenant('b-tenant', '111111111111', importing));
    expect(a!.findings).toEqual([
      'violation VpcId Outputs.VpcId.Export.Name: export platform-vpc-id in account 111111111111 and Region eu-west-1 is also imported by tenant b-tenant in that account and Region: they share it',
    ]);
    expect(b!.status).toBe('fail');
    expect(fleet1(tenant('a-tenant', '111111111111', exporting), tenant('b-tenant', '111111111111', exporting)).map((t) => t.status)).toEqual(['pass', 'pass']);
  });
});

test('an id AWS assigns is one resource whatever the account: the same VPC id in two accounts is shared', () => {
  const t = tpl({ Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', VpcId: 'vpc-0123456789abcdef0' } } });
  const [a] = fleet1(tenant('a-tenant', '111111111111', t), tenant('b-tenant', '222222222222', t));
  expect(a!.findings).toEqual(['violation Sg Properties.VpcId: vpc-0123456789abcdef0 (network id) is also referenced by tenant b-tenant']);
});
