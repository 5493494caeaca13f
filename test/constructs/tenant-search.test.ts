import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { TenantSearch, type TenantSearchProps } from '../../constructs/tenant-search';
import { fleetTemplates, testStack, type FleetTemplates } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const LOG_GROUPS = {
  SEARCH_SLOW_LOGS: 'SearchSearchSlowLogGroupBAC7F038',
  INDEX_SLOW_LOGS: 'SearchIndexSlowLogGroupE72851E3',
  ES_APPLICATION_LOGS: 'SearchApplicationLogGroup242A4B90',
  AUDIT_LOGS: 'SearchAuditLogGroup555DFC4D',
};

describe.each([
  ['northwind-bank', 'account', 'NetworkDataVpcDataSubnet', 'KeysSearchKey893A72C8', 'KeysLogsKeyD24E82DB', 3, 'r6g.large.search'],
  ['acme-health', 'hardware', 'NetworkSearchVpcSearchSubnet', 'KeysSearchKey893A72C8', 'KeysLogsKeyD24E82DB', 3, 'r6g.large.search'],
  ['contoso-markets', 'hardware', 'NetworkSearchVpcSearchSubnet', 'KeysSearchKey893A72C8', 'KeysLogsKeyD24E82DB', 3, 'r6g.large.search'],
  ['fedline-gov', 'hsm', 'NetworkSearchVpcSearchSubnet', 'HsmSearchKey1CC01A29', 'HsmLogsKey5FFDB259', 6, 'r6g.xlarge.search'],
] as const)('TenantSearch of %s (%s)', (id, _level, subnetPrefix, searchKey, logsKey, dataNodes, instanceType) => {
  const t = () => fleet.templates[id]!;
  const m = () => fleet.built.manifests.find((x) => x.id === id)!;
  const domainArn = () => `arn:${m().partition}:es:${m().region}:${m().account}:domain/${id}`;

  test('is one retained OpenSearch domain in the tenant (default-tenancy) VPC subnets, one per zone', () => {
    t().resourceCountIs('AWS::OpenSearchService::Domain', 1);
    const subnets = new Capture();
    t().hasResource('AWS::OpenSearchService::Domain', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        DomainName: id,
        EngineVersion: 'OpenSearch_2.19',
        VPCOptions: { SubnetIds: subnets, SecurityGroupIds: [{ 'Fn::GetAtt': ['SearchSecurityGroup0EC827A8', 'GroupId'] }] },
      }),
    });
    const refs = (subnets.asArray() as { Ref: string }[]).map((r) => r.Ref);
    expect(refs).toHaveLength(3);
    for (const r of refs) expect(r.startsWith(subnetPrefix)).toBe(true);
  });

  test('encrypts at rest with the tenant search key, node to node, and serves HTTPS with TLS 1.2+ only', () => {
    t().hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: arn(searchKey) },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    });
  });

  test('uses fine-grained access control with an IAM role of the tenant as master user, no passwords', () => {
    t().hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedSecurityOptions: {
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: { MasterUserARN: arn('SearchMasterUserRole771E6489') },
      },
    });
    expect(/"MasterUserPassword"|"MasterUserName"/.test(JSON.stringify(fleet.json[id]))).toBe(false);
    t().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { AWS: `arn:${m().partition}:iam::${m().account}:root` } })],
      },
      Description: Match.stringLikeRegexp('Fine-grained access control master user'),
    });
  });

  test(`spreads ${dataNodes} data nodes over 3 zones behind three dedicated masters, Multi-AZ with standby`, () => {
    t().hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: dataNodes,
        InstanceType: instanceType,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        DedicatedMasterType: 'm6g.large.search',
        MultiAZWithStandbyEnabled: true,
      }),
      EBSOptions: Match.objectLike({ EBSEnabled: true, VolumeType: 'gp3' }),
    });
  });

  test('publishes slow, application and audit logs to log groups encrypted with the tenant logs key', () => {
    const options: Record<string, unknown> = {};
    for (const [type, logicalId] of Object.entries(LOG_GROUPS)) {
      options[type] = { Enabled: true, CloudWatchLogsLogGroupArn: arn(logicalId) };
      t().hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'RetainExceptOnCreate',
        Properties: Match.objectLike({ KmsKeyId: arn(logsKey), LogGroupName: Match.stringLikeRegexp(`^/aws/opensearch/domains/${id}/`) }),
      });
      expect(fleet.json[id]!.Resources[logicalId]!.Properties!.KmsKeyId).toEqual(arn(logsKey));
    }
    t().hasResourceProperties('AWS::OpenSearchService::Domain', { LogPublishingOptions: options });
  });

  test('lets OpenSearch write those logs only for this domain in this account', () => {
    const doc = new Capture();
    t().hasResourceProperties('AWS::Logs::ResourcePolicy', { PolicyDocument: doc });
    const text = JSON.stringify(doc.asObject());
    expect(text).toContain(`\\"aws:SourceAccount\\":\\"${m().account}\\"`);
    expect(text).toContain(`\\"aws:SourceArn\\":\\"${domainArn()}\\"`);
    expect(text).toContain('es.amazonaws.com');
    t().hasResource('AWS::OpenSearchService::Domain', { DependsOn: Match.arrayWith(['SearchLogsResourcePolicy132A5CB8']) });
  });

  test('has an access policy naming only the tenant account and its master role, on this domain only', () => {
    t().hasResourceProperties('AWS::OpenSearchService::Domain', {
      AccessPolicies: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TenantPrincipalsOnly',
            Effect: 'Allow',
            Principal: { AWS: [`arn:${m().partition}:iam::${m().account}:root`, arn('SearchMasterUserRole771E6489')] },
            Action: 'es:ESHttp*',
            Resource: `${domainArn()}/*`,
          },
        ],
      },
    });
    t().resourceCountIs('Custom::OpenSearchAccessPolicy', 0);
  });

  test('admits HTTPS only from the tenant application security group', () => {
    t().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': ['SearchSecurityGroup0EC827A8', 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': ['NetworkAppSecurityGroupE3807721', 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
  });
});

describe('TenantSearch props', () => {
  const build = (overrides: Partial<TenantSearchProps>) => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Search', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const key = new kms.Key(stack, 'Key');
    new TenantSearch(stack, 'Search', { tenantId: 'test-tenant', vpc, encryptionKey: key, logsKey: key, ...overrides });
    return Template.fromStack(stack);
  };

  test.each<[string, Partial<TenantSearchProps>, string]>([
    ['2 data nodes', { dataNodes: 2 }, 'dataNodes must be at least 3 and a multiple of 3 (zone awareness), got 2'],
    ['4 data nodes over 3 zones', { dataNodes: 4 }, 'dataNodes must be at least 3 and a multiple of 3 (zone awareness), got 4'],
    ['2 masters', { masterNodes: 2 }, 'masterNodes must be 0, 3 or 5, got 2'],
    ['a burstable data node', { dataNodeInstanceType: 't3.medium.search' }, 'dataNodeInstanceType must not be burstable'],
    ['a malformed instance type', { masterNodeInstanceType: 'm6g.large' }, 'masterNodeInstanceType must be an OpenSearch instance type such as r6g.large.search, got "m6g.large"'],
    ['a 5 GiB volume', { volumeSizeGiB: 5 }, 'volumeSizeGiB must be a whole number 10-24576, got 5'],
  ])('throws for %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('defaults to three dedicated masters and Multi-AZ with standby; over two zones, masters without standby', () => {
    build({}).hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({ DedicatedMasterEnabled: true, DedicatedMasterCount: 3, MultiAZWithStandbyEnabled: true }),
    });
    build({ availabilityZoneCount: 2, dataNodes: 4 }).hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({ DedicatedMasterEnabled: true, DedicatedMasterCount: 3, MultiAZWithStandbyEnabled: false }),
    });
  });

  test('uses a master role it is given instead of creating one', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 0, subnetConfiguration: [{ name: 'S', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const key = new kms.Key(stack, 'Key');
    const role = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    new TenantSearch(stack, 'Search', { tenantId: 't-one', vpc, encryptionKey: key, logsKey: key, masterUserRole: role });
    Template.fromStack(stack).hasResourceProperties('AWS::OpenSearchService::Domain', {
      AdvancedSecurityOptions: Match.objectLike({ MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Admin'), 'Arn'] } } }),
    });
  });
});
