import { reportAccesses, storeAccesses, type StoreAccess } from '../../access';
import type { IsolationRule } from '../../rule';

const verb = (a: StoreAccess): string => (a.via === 'policy' ? 'grants access to' : 'points the workload at');

/** ISO-DATA-7: IAM policies, tasks and functions reach only S3 buckets the tenant defines. */
export const ownBucketsOnly: IsolationRule = {
  id: 'ISO-DATA-7',
  title: 'IAM policies, ECS tasks and Lambda functions reach only S3 buckets the tenant defines',
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'The prefix-per-customer fake keeps every customer\'s objects in one vendor bucket under `<tenant>/`: the tenant ' +
    'stack defines no bucket, or a decoy one, while its task role or function policy grants `arn:aws:s3:::<shared>/<tenant>/*` ' +
    'and its environment names the shared bucket (a literal, a parameter, an SSM parameter or an import). Only a key ' +
    'prefix in a policy separates the customers, and the bucket, its key and its policy are shared.',
  remediation:
    'Define the bucket in the tenant stack (s3.Bucket with the tenant key) and grant it with bucket.grantRead/grantWrite; ' +
    'pass bucket.bucketName to the task or function, never a name from a parameter, SSM or an import.',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST AC-4', 'NIST SC-4'],
  checkTemplate(tenant, report) {
    const accesses = storeAccesses(tenant).filter((a) => a.service === 's3');
    reportAccesses(accesses, report, (a) => `${a.resource.id} ${verb(a)} ${a.reason}${a.verdict === 'foreign' ? ': a bucket shared by prefix' : a.verdict === 'unknown' ? ', which may be a bucket shared by prefix' : ''}`);
  },
};
