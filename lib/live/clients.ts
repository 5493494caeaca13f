/**
 * The AWS SDK v3 clients of the live verifier, one set per tenant region.
 *
 * Clients get the region and retry settings only: credentials come from the SDK's default chain (environment,
 * shared config and credentials files with profiles, SSO, role assumption, web identity, container and instance
 * metadata) and endpoints from the SDK's standard settings (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`,
 * `endpoint_url` in a profile or its `services` section), resolved by the SDK itself, for the older CloudHSM v2 client
 * too (lib/configured-endpoint.ts). Nothing here hard-codes an endpoint or a credential.
 */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
import { RAMClient } from '@aws-sdk/client-ram';
import { RDSClient } from '@aws-sdk/client-rds';
import { STSClient } from '@aws-sdk/client-sts';
import { withConfiguredEndpoint } from '../configured-endpoint';

export interface LiveClients {
  readonly sts: STSClient;
  readonly rds: RDSClient;
  readonly kms: KMSClient;
  readonly ec2: EC2Client;
  readonly opensearch: OpenSearchClient;
  readonly ram: RAMClient;
  readonly cloudhsm: CloudHSMV2Client;
  readonly logs: CloudWatchLogsClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ClientOptions {
  readonly region: string;
  /** The environment, read only to decide whether the user chose retry settings (then the SDK's own win). */
  readonly env?: Env;
  /**
   * Extra configuration for every client, e.g. in tests a `retryStrategy` with a tiny delay or a `requestHandler`.
   * @default - none
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Creates the clients for one region. Tests and the gate's Lambda may pass their own factory. */
export type ClientFactory = (options: ClientOptions) => LiveClients;

/** Attempts per call (the first try plus retries) when the user sets neither AWS_MAX_ATTEMPTS nor AWS_RETRY_MODE. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Retry settings: the SDK's adaptive mode (client-side rate limiting on top of exponential backoff with jitter for
 * throttling and transient errors), unless the environment chooses its own; then nothing is overridden.
 */
export function retrySettings(env: Env = {}): { maxAttempts?: number; retryMode?: string } {
  if (env.AWS_MAX_ATTEMPTS !== undefined || env.AWS_RETRY_MODE !== undefined) return {};
  return { maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: 'adaptive' };
}

export const createClients: ClientFactory = (options) => {
  const env = options.env ?? {};
  const config = { region: options.region, ...retrySettings(env), ...options.extra };
  return {
    sts: new STSClient(config),
    rds: new RDSClient(config),
    kms: new KMSClient(config),
    ec2: new EC2Client(config),
    opensearch: new OpenSearchClient(config),
    ram: new RAMClient(config),
    // The registry's CloudHSM v2 client predates configured endpoints: the current SDK's resolver is wired into it.
    cloudhsm: withConfiguredEndpoint(new CloudHSMV2Client(config)),
    logs: new CloudWatchLogsClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  };
};

/** Releases the clients' sockets (the CLI exits promptly; the Lambda keeps them warm instead). */
export function destroyClients(clients: LiveClients): void {
  for (const c of Object.values(clients) as { destroy?: () => void }[]) c.destroy?.();
}
