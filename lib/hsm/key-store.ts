/**
 * Custom::ExclusiveDeskCustomKeyStore: the tenant's AWS KMS custom key store on its CloudHSM cluster, created in the
 * `complete` deploy of the hsm level, after the operator's ceremony (docs/hsm.md). It never waits for a person: if the
 * ceremony is not finished it fails at once, naming every step still missing, and the deploy rolls back to the
 * `cluster` state, ready to be run again. Then it creates (or finds, by name) and connects the key store, and polls
 * only the connection (up to 20 minutes). Never disconnected or deleted by a stack operation.
 */
import type { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CustomKeyStoreNotFoundException,
  DescribeCustomKeyStoresCommand,
  type CustomKeyStoresListEntry,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeCluster } from './cluster';
import { stringProp, type IsCompleteRequest, type IsCompleteResponse, type OnEventRequest, type OnEventResponse } from './types';
import { log } from './log';

const RESOURCE = 'Custom::ExclusiveDeskCustomKeyStore';

interface KeyStoreProps {
  readonly CustomKeyStoreName: string;
  readonly CloudHsmClusterId: string;
  readonly KmsUserSecretArn: string;
}

function readProps(props: Readonly<Record<string, unknown>> | undefined): KeyStoreProps {
  return {
    CustomKeyStoreName: stringProp(props, 'CustomKeyStoreName', RESOURCE),
    CloudHsmClusterId: stringProp(props, 'CloudHsmClusterId', RESOURCE),
    KmsUserSecretArn: stringProp(props, 'KmsUserSecretArn', RESOURCE),
  };
}

/** The JSON the operator completes in the kmsuser secret (docs/hsm.md step 6). */
export interface KmsUserSecret {
  readonly kmsuserPassword?: string;
  readonly trustAnchorCertificate?: string;
}

export function onKeyStoreEvent(event: OnEventRequest): OnEventResponse {
  if (event.RequestType === 'Delete') {
    log(`${RESOURCE}: retaining custom key store ${event.PhysicalResourceId ?? '(none)'} on delete`);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = readProps(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const old = readProps(event.OldResourceProperties);
    if (old.CustomKeyStoreName === props.CustomKeyStoreName && old.CloudHsmClusterId !== props.CloudHsmClusterId) {
      throw new Error(
        `${RESOURCE}: CloudHsmClusterId of key store ${props.CustomKeyStoreName} cannot change in place ` +
          `(was ${old.CloudHsmClusterId}, asked ${props.CloudHsmClusterId}); only a cluster sharing its backup ` +
          'history may replace it, out of band with UpdateCustomKeyStore (docs/hsm.md)',
      );
    }
  }
  // The name is unique per account and region, so it identifies the key store before it exists.
  return { PhysicalResourceId: props.CustomKeyStoreName };
}

/** What is still missing before the key store can be created and connected; empty when ready. */
export async function keyStoreBlockers(
  props: KeyStoreProps,
  hsm: CloudHSMV2Client,
  secrets: SecretsManagerClient,
): Promise<{ blockers: string[]; secret: KmsUserSecret }> {
  const blockers: string[] = [];
  const cluster = await describeCluster(hsm, props.CloudHsmClusterId);
  if (cluster.State !== 'ACTIVE') {
    blockers.push(`cluster ${props.CloudHsmClusterId} is ${cluster.State ?? 'UNKNOWN'}, not ACTIVE (initialise and activate it)`);
  }
  const activeZones = new Set((cluster.Hsms ?? []).filter((h) => h.State === 'ACTIVE').map((h) => h.AvailabilityZone));
  if (activeZones.size < 2) {
    blockers.push(`cluster ${props.CloudHsmClusterId} has active HSMs in ${activeZones.size} zone(s); KMS needs 2`);
  }
  let secret: KmsUserSecret = {};
  const value = await secrets.send(new GetSecretValueCommand({ SecretId: props.KmsUserSecretArn }));
  try {
    secret = JSON.parse(value.SecretString ?? '{}') as KmsUserSecret;
  } catch {
    blockers.push(`secret ${props.KmsUserSecretArn} is not JSON`);
  }
  const password = secret.kmsuserPassword ?? '';
  if (password.length < 7 || password.length > 32) {
    blockers.push(`secret ${props.KmsUserSecretArn} field kmsuserPassword must be 7-32 characters`);
  }
  if (!secret.trustAnchorCertificate?.includes('BEGIN CERTIFICATE')) {
    blockers.push(`secret ${props.KmsUserSecretArn} field trustAnchorCertificate must hold the PEM of customerCA.crt`);
  }
  return { blockers, secret };
}

async function findByName(kms: KMSClient, name: string): Promise<CustomKeyStoresListEntry | undefined> {
  try {
    const out = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: name }));
    return out.CustomKeyStores?.[0];
  } catch (e) {
    if (e instanceof CustomKeyStoreNotFoundException || (e as { name?: string }).name === 'CustomKeyStoreNotFoundException') {
      return undefined;
    }
    throw e;
  }
}

export async function isKeyStoreComplete(
  event: IsCompleteRequest,
  clients: { hsm: CloudHSMV2Client; kms: KMSClient; secrets: SecretsManagerClient },
): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const props = readProps(event.ResourceProperties);
  const existing = await findByName(clients.kms, props.CustomKeyStoreName);
  if (existing && existing.CloudHsmClusterId !== props.CloudHsmClusterId) {
    throw new Error(
      `${RESOURCE}: key store ${props.CustomKeyStoreName} (${existing.CustomKeyStoreId ?? '?'}) is on cluster ` +
        `${existing.CloudHsmClusterId ?? '?'}, not on ${props.CloudHsmClusterId}; one tenant has one cluster: recover ` +
        'the cluster the key store uses instead of creating another (docs/hsm.md, "Recovery")',
    );
  }
  if (existing?.ConnectionState === 'CONNECTED') {
    return { IsComplete: true, Data: { CustomKeyStoreId: existing.CustomKeyStoreId } };
  }
  if (existing?.ConnectionState === 'CONNECTING' || existing?.ConnectionState === 'DISCONNECTING') {
    return { IsComplete: false };
  }
  if (existing?.ConnectionState === 'FAILED') {
    throw new Error(
      `${RESOURCE}: key store ${props.CustomKeyStoreName} (${existing.CustomKeyStoreId}) failed to connect: ` +
        `${existing.ConnectionErrorCode ?? 'unknown error'}; fix the cause (docs/hsm.md, troubleshooting), run ` +
        'aws kms disconnect-custom-key-store, then deploy again',
    );
  }
  const { blockers, secret } = await keyStoreBlockers(props, clients.hsm, clients.secrets);
  if (blockers.length > 0) {
    // A person does these steps: CloudFormation is not held for them (a custom resource gets at most an hour).
    throw new Error(
      `${RESOURCE}: the initialisation ceremony of cluster ${props.CloudHsmClusterId} is not finished: ` +
        `${blockers.join('; ')}. Finish docs/hsm.md (step 3 onwards), then deploy hsm.phase complete again`,
    );
  }
  let id = existing?.CustomKeyStoreId;
  if (!existing) {
    const out = await clients.kms.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: props.CustomKeyStoreName,
        CloudHsmClusterId: props.CloudHsmClusterId,
        TrustAnchorCertificate: secret.trustAnchorCertificate,
        KeyStorePassword: secret.kmsuserPassword,
      }),
    );
    id = out.CustomKeyStoreId;
    log(`${RESOURCE}: created key store ${props.CustomKeyStoreName} (${id ?? '?'})`);
  }
  await clients.kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  log(`${RESOURCE}: connecting key store ${props.CustomKeyStoreName} (${id ?? '?'})`);
  return { IsComplete: false };
}
