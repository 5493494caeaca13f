import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { isStatefulType, STATEFUL_TYPES } from '../../lib/guard';

// The CDK's resource specification, as the diff engine loads it (a transitive dependency of
// @aws-cdk/cloudformation-diff, read here only to pin our data against it).
const spec = loadAwsServiceSpecSync();
const specTypes = new Set(spec.all('resource').map((r) => r.cloudFormationType));

describe('STATEFUL_TYPES', () => {
  test('contains every type the CDK resource specification marks stateful', () => {
    const marked = spec
      .all('resource')
      .filter((r) => r.isStateful)
      .map((r) => r.cloudFormationType);
    expect(marked.length).toBeGreaterThan(20);
    expect(marked.filter((t) => !isStatefulType(t))).toEqual([]);
  });

  test.each([
    'AWS::RDS::DBInstance',
    'AWS::RDS::DBCluster',
    'AWS::OpenSearchService::Domain',
    'AWS::Elasticsearch::Domain',
    'AWS::KMS::Key',
    'AWS::EC2::VPC',
    'AWS::EC2::Subnet',
    'AWS::SecretsManager::Secret',
    'AWS::Logs::LogGroup',
    'AWS::Backup::BackupVault',
    'AWS::DynamoDB::Table',
    'AWS::S3::Bucket',
    'AWS::EFS::FileSystem',
    'Custom::ExclusiveDeskHsmCluster',
    'Custom::ExclusiveDeskCustomKeyStore',
    'Custom::ExclusiveDeskHsmKey',
  ])('protects %s', (type) => {
    expect(isStatefulType(type)).toBe(true);
  });

  test('names only AWS types the specification knows (no typos)', () => {
    const unknown = Object.keys(STATEFUL_TYPES).filter((t) => t.startsWith('AWS::') && !specTypes.has(t));
    expect(unknown).toEqual([]);
  });

  test('does not protect stateless types unless asked', () => {
    expect(isStatefulType('AWS::Lambda::Function')).toBe(false);
    expect(isStatefulType('AWS::Lambda::Function', new Set(['AWS::Lambda::Function']))).toBe(true);
    expect(isStatefulType(undefined)).toBe(false);
  });
});
