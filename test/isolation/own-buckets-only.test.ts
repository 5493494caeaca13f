/**
 * ISO-DATA-7: the prefix-per-customer fake (one vendor bucket, a key prefix per customer) in IAM policies, ECS task
 * definitions and Lambda functions; compliant, violation, could-not-verify and not-applicable cases, a CDK task
 * definition synthesized for real, and public templates someone else wrote.
 */
import * as path from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { CfnTemplate } from '../../lib/assembly/read';
import { readTemplateFile } from '../../lib/assembly/read';
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, statusOf, tpl, type TenantSpec } from './support';

const RULE = 'ISO-DATA-7';
const brief = (fs: readonly Finding[]) => fs.map((f) => ({ rule: f.rule, resource: f.resource, path: f.path, kind: f.kind }));
const spec = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}): TenantSpec => ({ templates: [tpl(resources, extra)] });

const policy = (resource: unknown, action: unknown = ['s3:GetObject', 's3:PutObject']) => ({
  Type: 'AWS::IAM::Policy',
  Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] } },
});
const OWN_BUCKET = { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'tenant-a-data' } };

describe('ISO-DATA-7 on IAM policies', () => {
  test('passes a grant on the tenant\'s own bucket, by reference and by its literal name', () => {
    const s = spec({
      Data: OWN_BUCKET,
      ByRef: policy([{ 'Fn::GetAtt': ['Data', 'Arn'] }, { 'Fn::Sub': '${Data.Arn}/*' }]),
      ByName: policy('arn:aws:s3:::tenant-a-data/exports/*'),
    });
    expect(statusOf(RULE, s)).toBe('pass');
    expect(findingsOf(RULE, s)).toEqual([]);
  });

  test('fails a grant on a prefix of a bucket the tenant does not define', () => {
    const s = spec({ TaskPolicy: policy(['arn:aws:s3:::vendor-shared', 'arn:aws:s3:::vendor-shared/tenant-a/*']) });
    expect(statusOf(RULE, s)).toBe('fail');
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'TaskPolicy', path: 'Properties.PolicyDocument.Statement[0].Resource[0]', kind: 'violation' },
      { rule: RULE, resource: 'TaskPolicy', path: 'Properties.PolicyDocument.Statement[0].Resource[1]', kind: 'violation' },
    ]);
    expect(findingsOf(RULE, s)[1]!.message).toBe(
      "TaskPolicy grants access to bucket vendor-shared, which the tenant's templates do not define: a bucket shared by prefix",
    );
  });

  test('fails an imported bucket ARN and role inline policies too', () => {
    const s = spec({
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {},
          Policies: [{ PolicyName: 'data', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'platform-bucket-arn' }, '/tenant-a/*']] } }] } }],
        },
      },
    });
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'Role', path: 'Properties.Policies[0].PolicyDocument.Statement[0].Resource', kind: 'violation' },
    ]);
  });

  test('cannot verify a bucket named by a parameter, an SSM parameter or a name pattern', () => {
    const s = spec(
      {
        FromParam: policy({ 'Fn::Sub': 'arn:aws:s3:::${SharedBucket}/tenant-a/*' }),
        FromSsm: policy({ 'Fn::Sub': 'arn:aws:s3:::${BucketFromSsm}/*' }),
        Pattern: policy('arn:aws:s3:::vendor-*/tenant-a/*'),
      },
      { Parameters: { SharedBucket: { Type: 'String' }, BucketFromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/platform/bucket' } } },
    );
    expect(statusOf(RULE, s)).toBe('unverifiable');
    expect(brief(findingsOf(RULE, s))).toEqual(
      ['FromParam', 'FromSsm', 'Pattern'].map((resource) => ({ rule: RULE, resource, path: 'Properties.PolicyDocument.Statement[0].Resource', kind: 'unverifiable' })),
    );
    expect(findingsOf(RULE, s)[0]!.message).toMatch(/^could not verify: FromParam grants access to a bucket named by parameter SharedBucket/);
  });

  test('ignores Deny statements, Resource "*", other services and the AWS-managed SSM Agent buckets', () => {
    const s = spec({
      Deny: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::vendor-shared/*' }] } } },
      Star: policy('*'),
      Queue: policy('arn:aws:sqs:eu-west-1:111111111111:q', 'sqs:SendMessage'),
      Ssm: policy({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::aws-ssm-${AWS::Region}/*' }, 's3:GetObject'),
    });
    expect(statusOf(RULE, s)).toBe('not-applicable');
  });
});

describe('ISO-DATA-7 on task and function environments', () => {
  const task = (environment: unknown[], secrets: unknown[] = []) => ({
    Type: 'AWS::ECS::TaskDefinition',
    Properties: { ContainerDefinitions: [{ Name: 'app', Image: 'app', Environment: environment, Secrets: secrets }] },
  });
  const fn = (variables: Record<string, unknown>) => ({ Type: 'AWS::Lambda::Function', Properties: { Role: 'r', Code: {}, Environment: { Variables: variables } } });

  test('passes environment variables that name the tenant\'s bucket', () => {
    const s = spec({ Data: OWN_BUCKET, Task: task([{ Name: 'BUCKET_NAME', Value: { Ref: 'Data' } }]), Fn: fn({ EXPORT_URI: 's3://tenant-a-data/exports/' }) });
    expect(statusOf(RULE, s)).toBe('pass');
  });

  test('fails a literal shared bucket, cannot verify a parameter or an SSM-backed secret', () => {
    const s = spec(
      {
        Task: task(
          [{ Name: 'BUCKET_NAME', Value: 'vendor-shared' }, { Name: 'PREFIX', Value: 'tenant-a/' }, { Name: 'ARCHIVE_BUCKET', Value: { Ref: 'Archive' } }],
          [{ Name: 'UPLOAD_BUCKET', ValueFrom: 'arn:aws:ssm:eu-west-1:111111111111:parameter/platform/bucket' }],
        ),
        Fn: fn({ DATA_LOCATION: 's3://vendor-shared/tenant-a/', RETRIES: '3' }),
      },
      { Parameters: { Archive: { Type: 'String' } } },
    );
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'Fn', path: 'Properties.Environment.Variables.DATA_LOCATION', kind: 'violation' },
      { rule: RULE, resource: 'Task', path: 'Properties.ContainerDefinitions[0].Environment.BUCKET_NAME', kind: 'violation' },
      { rule: RULE, resource: 'Task', path: 'Properties.ContainerDefinitions[0].Environment.ARCHIVE_BUCKET', kind: 'unverifiable' },
      { rule: RULE, resource: 'Task', path: 'Properties.ContainerDefinitions[0].Secrets.UPLOAD_BUCKET', kind: 'unverifiable' },
    ]);
  });

  test('is not applicable to a tenant that names no bucket', () => {
    expect(statusOf(RULE, spec({ Topic: { Type: 'AWS::SNS::Topic' } }))).toBe('not-applicable');
  });
});

describe('ISO-DATA-7 on real CDK constructs', () => {
  function synth(build: (stack: Stack) => void): CfnTemplate {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Tenant', { env: { account: '111111111111', region: 'eu-west-1' } });
    build(stack);
    return Template.fromStack(stack).toJSON() as CfnTemplate;
  }

  test('a Fargate task granted a prefix of an imported vendor bucket fails; its own bucket passes', () => {
    const fake = synth((stack) => {
      const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'vendor-shared');
      const task = new ecs.FargateTaskDefinition(stack, 'Task');
      task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app'), environment: { BUCKET_NAME: shared.bucketName, PREFIX: 'tenant-a/' } });
      shared.grantReadWrite(task.taskRole, 'tenant-a/*');
    });
    const findings = findingsOf(RULE, { templates: [fake] });
    expect(brief(findings)).toEqual([
      expect.objectContaining({ resource: expect.stringMatching(/^TaskTaskRoleDefaultPolicy/), path: 'Properties.PolicyDocument.Statement[0].Resource[0]', kind: 'violation' }),
      expect.objectContaining({ resource: expect.stringMatching(/^TaskTaskRoleDefaultPolicy/), path: 'Properties.PolicyDocument.Statement[0].Resource[1]', kind: 'violation' }),
      expect.objectContaining({ resource: expect.stringMatching(/^Task[0-9A-F]{8}$/), path: 'Properties.ContainerDefinitions[0].Environment.BUCKET_NAME', kind: 'violation' }),
    ]);

    const genuine = synth((stack) => {
      const own = new s3.Bucket(stack, 'Data');
      const task = new ecs.FargateTaskDefinition(stack, 'Task');
      task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app'), environment: { BUCKET_NAME: own.bucketName } });
      own.grantReadWrite(task.taskRole);
    });
    expect(statusOf(RULE, { templates: [genuine] })).toBe('pass');
  });

  test('a bucket name from a CloudFormation parameter cannot be verified', () => {
    const t = synth((stack) => {
      const name = new CfnParameter(stack, 'SharedBucketName');
      const shared = s3.Bucket.fromBucketName(stack, 'Shared', name.valueAsString);
      const task = new ecs.FargateTaskDefinition(stack, 'Task');
      task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('app') });
      shared.grantRead(task.taskRole);
    });
    expect(statusOf(RULE, { templates: [t] })).toBe('unverifiable');
  });
});

describe('ISO-DATA-7 on public templates someone else wrote', () => {
  const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'aws-cloudformation-templates');
  const read = (file: string): TenantSpec => {
    const loaded = readTemplateFile(path.join(CORPUS, file));
    if ('message' in loaded) throw new Error(loaded.message);
    return { account: '111111111111', templates: [loaded.template] };
  };

  test('buckets named from the same parameter as the policy are the tenant\'s own (S3/compliant-bucket.yaml)', () => {
    expect(statusOf(RULE, read('S3/compliant-bucket.yaml'))).toBe('pass');
  });

  test('the SSM Agent\'s AWS-managed buckets are not shared tenant storage; the log bucket parameter cannot be verified (ADConnector)', () => {
    const findings = findingsOf(RULE, read('Solutions/ADConnector/templates/ADCONNECTOR.cfn.yaml'));
    expect(brief(findings)).toEqual(
      ['ADConnectorLinuxEC2DomainJoinRole', 'ADConnectorWindowsEC2DomainJoinRole'].flatMap((resource) =>
        [0, 1].map((i) => ({ rule: RULE, resource, path: `Properties.Policies[1].PolicyDocument.Statement[0].Resource[${i}]`, kind: 'unverifiable' })),
      ),
    );
    expect(findings.every((f) => f.message.includes('parameter SSMLogsBucketName'))).toBe(true);
  });
});
