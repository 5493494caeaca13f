import { accountOwnership, allMatches, propertyIndex } from '../../facts';
import type { IsolationRule } from '../../rule';

const ARN_ACCOUNT = /arn:(aws|aws-us-gov|aws-cn):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):[^\s"',]*/g;
/** SQS queue URLs carry the owning account: `https://sqs.<region>.amazonaws.com/<account>/<queue>` and legacy hosts. */
const QUEUE_URL = /https?:\/\/(?:sqs\.[a-z0-9-]+|[a-z0-9-]+\.queue|queue)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/[A-Za-z0-9_.-]+/g;
/** Principal properties that take bare account ids. */
const ACCOUNT_KEYS = /^(AWS|AWSAccountId|AccountId|AccountIds|PeerOwnerId|SourceAccount|Principals?)$/;

/**
 * A role's trust policy names who may enter the tenant: that is the access plane, judged by ISO-IAM-1 against the
 * declared access paths (a declared path names another account by design). Called only for a foreign value, so
 * the lazily rendered path is built rarely.
 */
function inTrustPolicy(resourceType: string, path: string): boolean {
  return resourceType === 'AWS::IAM::Role' && path.startsWith('Properties.AssumeRolePolicyDocument');
}

/** ISO-REF-2: the tenant's templates hold no literal ARN or account id of another account (trust policies: ISO-IAM-1). */
export const noForeignAccountArns: IsolationRule = {
  id: 'ISO-REF-2',
  title: "The tenant's templates name no resource or principal of another account",
  severity: 'error',
  concern: 'references',
  proves: 'network',
  rationale:
    'A literal ARN of another account (the vendor\'s shared key, topic, bucket, role, Lambda provider or secret) ' +
    'wires the tenant to shared infrastructure that no template of the tenant defines; so does a queue URL, which ' +
    'carries the queue owner\'s account (a shared ingest queue). When the tenant account is ' +
    'unknown, any literal account cannot be shown to be the tenant\'s own.',
  remediation: 'Build ARNs from the tenant\'s own resources and ${AWS::AccountId}; move shared dependencies into the tenant.',
  controls: ['NIST AC-4', 'NIST AC-6', 'NIST SC-7', 'PCI DSS 7.2.1'],
  checkTemplate(tenant, report) {
    let literals = 0;
    for (const entry of propertyIndex(tenant)) {
      const { resource: r, node: text, key } = entry;
      if (typeof text !== 'string') continue;
      if (text.includes('arn:')) {
        for (const m of allMatches(ARN_ACCOUNT, text)) {
          literals++;
          const account = m[4]!;
          const owner = accountOwnership(tenant, account);
          if (owner === 'self' || inTrustPolicy(r.type, entry.path)) continue;
          const base = { stack: r.stack.name, resource: r.id, path: entry.path, value: m[0] };
          if (owner === 'other') report.fail({ ...base, message: `${r.id} names ${m[0]}, a ${m[2]} resource of account ${account}, not the tenant's ${tenant.account}` });
          else report.unverifiable({ ...base, message: `${r.id} names ${m[0]} of account ${account}; the tenant account is unknown` });
        }
      }
      if (text.includes('amazonaws')) {
        for (const m of allMatches(QUEUE_URL, text)) {
          literals++;
          const account = m[1]!;
          const owner = accountOwnership(tenant, account);
          if (owner === 'self') continue;
          const base = { stack: r.stack.name, resource: r.id, path: entry.path, value: m[0] };
          if (owner === 'other') report.fail({ ...base, message: `${r.id} names the SQS queue ${m[0]} of account ${account}, not the tenant's ${tenant.account}` });
          else report.unverifiable({ ...base, message: `${r.id} names the SQS queue ${m[0]} of account ${account}; the tenant account is unknown` });
        }
      }
      if (text.length === 12 && key && ACCOUNT_KEYS.test(key) && /^\d{12}$/.test(text)) {
        literals++;
        const owner = accountOwnership(tenant, text);
        if (owner !== 'self' && inTrustPolicy(r.type, entry.path)) continue;
        if (owner === 'other') report.fail({ stack: r.stack.name, resource: r.id, path: entry.path, value: text, message: `${r.id} names account ${text}, not the tenant's ${tenant.account}` });
        else if (owner !== 'self') report.unverifiable({ stack: r.stack.name, resource: r.id, path: entry.path, value: text, message: `${r.id} names account ${text}; the tenant account is unknown` });
      }
    }
    if (literals === 0 && tenant.stacks.length > 0) {
      const stack = tenant.stacks[0]!.name;
      report.pass({ resource: stack, stack, path: '-', message: 'no literal account id or ARN of another account in the templates' });
    }
  },
};
