/**
 * ISO-DATA-8: pooled tables (one vendor DynamoDB table, rows per customer by dynamodb:LeadingKeys) and other data
 * stores granted by IAM policies or named in workload environments; compliant, violation, could-not-verify and
 * not-applicable cases, and a CDK Lambda function synthesized for real.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { CfnTemplate } from '../../lib/assembly/read';
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, statusOf, tpl, type TenantSpec } from './support';

const RULE = 'ISO-DATA-8';
const brief = (fs: readonly Finding[]) => fs.map((f) => ({ rule: f.rule, resource: f.resource, path: f.path, kind: f.kind }));
const spec = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}): TenantSpec => ({ account: '111111111111', templates: [tpl(resources, extra)] });
const statement = (resource: unknown, action: unknown, condition?: unknown) => ({ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });
const policy = (...statements: unknown[]) => ({ Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Statement: statements } } });
const LEADING = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:PrincipalTag/TenantId}'] } };
const TABLE = { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'tenant-a-orders', KeySchema: [], AttributeDefinitions: [] } };

describe('ISO-DATA-8', () => {
  test('passes grants on the tenant\'s own table, its indexes, and its own table by literal name', () => {
    const s = spec({
      Orders: TABLE,
      P: policy(
        statement([{ 'Fn::GetAtt': ['Orders', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Orders', 'Arn'] }, '/index/*']] }], ['dynamodb:Query', 'dynamodb:PutItem']),
        statement({ 'Fn::Sub': 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/tenant-a-orders' }, 'dynamodb:GetItem', LEADING),
      ),
    });
    expect(statusOf(RULE, s)).toBe('pass');
    expect(findingsOf(RULE, s)).toEqual([]);
  });

  test('fails a pooled table narrowed to the tenant\'s rows by dynamodb:LeadingKeys', () => {
    const s = spec({ P: policy(statement({ 'Fn::Sub': 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/saas-orders' }, ['dynamodb:GetItem', 'dynamodb:PutItem'], LEADING)) });
    expect(brief(findingsOf(RULE, s))).toEqual([{ rule: RULE, resource: 'P', path: 'Properties.PolicyDocument.Statement[0].Resource', kind: 'violation' }]);
    expect(findingsOf(RULE, s)[0]!.message).toBe(
      "P grants access to table saas-orders, which the tenant's templates do not define limited to some partition keys by dynamodb:LeadingKeys: row-level pooling, only the partition key separates the tenants",
    );
  });

  test('fails the vendor\'s Aurora cluster through the RDS Data API, its search domain, and a table of the tenant\'s name in another account', () => {
    const s = spec({
      P: policy(
        statement('arn:aws:rds:eu-west-1:111111111111:cluster:platform-aurora', ['rds-data:ExecuteStatement', 'rds-data:BatchExecuteStatement']),
        statement('arn:aws:es:eu-west-1:111111111111:domain/platform-search/*', 'es:ESHttpPost'),
        statement('arn:aws:dynamodb:eu-west-1:999999999999:table/tenant-a-orders', 'dynamodb:GetItem'),
      ),
      Orders: TABLE,
    });
    expect(brief(findingsOf(RULE, s))).toEqual([0, 1, 2].map((i) => ({ rule: RULE, resource: 'P', path: `Properties.PolicyDocument.Statement[${i}].Resource`, kind: 'violation' })));
  });

  test('cannot verify a table ARN from a parameter, even one with LeadingKeys; fails an imported one', () => {
    const s = spec(
      {
        FromParam: policy(statement({ Ref: 'TableArn' }, 'dynamodb:*', LEADING)),
        Imported: policy(statement({ 'Fn::ImportValue': 'platform-orders-table-arn' }, 'dynamodb:Query')),
      },
      { Parameters: { TableArn: { Type: 'String' } } },
    );
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'FromParam', path: 'Properties.PolicyDocument.Statement[0].Resource', kind: 'unverifiable' },
      { rule: RULE, resource: 'Imported', path: 'Properties.PolicyDocument.Statement[0].Resource', kind: 'violation' },
    ]);
    expect(findingsOf(RULE, s)[0]!.message).toContain('limited to some partition keys by dynamodb:LeadingKeys, which may be a pooled store');
  });

  test('cannot verify TABLE_NAME variables from parameters; fails literal ones', () => {
    const s = spec(
      {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 'r', Code: {}, Environment: { Variables: { TABLE_NAME: 'saas-orders', AUDIT_TABLE: { Ref: 'AuditTable' } } } } },
      },
      { Parameters: { AuditTable: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/platform/audit-table' } } },
    );
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'Fn', path: 'Properties.Environment.Variables.TABLE_NAME', kind: 'violation' },
      { rule: RULE, resource: 'Fn', path: 'Properties.Environment.Variables.AUDIT_TABLE', kind: 'unverifiable' },
    ]);
  });

  test('is not applicable when no policy grants a data store and Resource "*" names none', () => {
    expect(statusOf(RULE, spec({ P: policy(statement('*', 'dynamodb:ListTables'), statement('arn:aws:sns:eu-west-1:111111111111:t', 'sns:Publish')) }))).toBe('not-applicable');
  });

  test('a CDK function granted a vendor table by name with LeadingKeys fails; its own TableV2 passes', () => {
    function synth(build: (stack: Stack, fn: lambda.Function) => void): CfnTemplate {
      const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Tenant', { env: { account: '111111111111', region: 'eu-west-1' } });
      const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
      build(stack, fn);
      return Template.fromStack(stack).toJSON() as CfnTemplate;
    }
    const fake = synth((stack, fn) => {
      const pooled = dynamodb.Table.fromTableName(stack, 'Pooled', 'saas-orders');
      fn.addEnvironment('TABLE_NAME', pooled.tableName);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [pooled.tableArn], conditions: LEADING }));
    });
    const findings = findingsOf(RULE, { account: '111111111111', templates: [fake] });
    expect(brief(findings)).toEqual([
      expect.objectContaining({ resource: expect.stringMatching(/^FnServiceRoleDefaultPolicy/), path: 'Properties.PolicyDocument.Statement[0].Resource', kind: 'violation' }),
      expect.objectContaining({ resource: expect.stringMatching(/^Fn[0-9A-F]{8}$/), path: 'Properties.Environment.Variables.TABLE_NAME', kind: 'violation' }),
    ]);
    expect(findings[0]!.message).toContain('row-level pooling');

    const genuine = synth((stack, fn) => {
      const own = new dynamodb.TableV2(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      fn.addEnvironment('TABLE_NAME', own.tableName);
      own.grantReadWriteData(fn);
    });
    expect(statusOf(RULE, { account: '111111111111', templates: [genuine] })).toBe('pass');
  });
});
