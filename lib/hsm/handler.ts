/**
 * Lambda entry of the HSM custom resources (bundled by NodejsFunction with esbuild). The Provider framework calls
 * `onEvent` once per request and `isComplete` until it returns true or the total timeout passes.
 */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withConfiguredEndpoint } from '../configured-endpoint';
import { isClusterComplete, onClusterEvent } from './cluster';
import { isKeyComplete, onKeyEvent } from './key';
import { isKeyStoreComplete, onKeyStoreEvent } from './key-store';
import {
  HSM_RESOURCE_TYPES,
  type IsCompleteRequest,
  type IsCompleteResponse,
  type OnEventRequest,
  type OnEventResponse,
} from './types';
import { log } from './log';

const hsm = withConfiguredEndpoint(new CloudHSMV2Client({}));
const kms = new KMSClient({});
const secrets = new SecretsManagerClient({});
const ec2 = new EC2Client({});

function logRequest(phase: string, event: OnEventRequest): void {
  // Properties carry no secret (the kmsuser password stays in Secrets Manager).
  log(JSON.stringify({ phase, type: event.ResourceType, request: event.RequestType, id: event.LogicalResourceId, physicalId: event.PhysicalResourceId }));
}

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  logRequest('onEvent', event);
  switch (event.ResourceType) {
    case HSM_RESOURCE_TYPES.cluster:
      return onClusterEvent(event, hsm);
    case HSM_RESOURCE_TYPES.keyStore:
      return onKeyStoreEvent(event);
    case HSM_RESOURCE_TYPES.key:
      return onKeyEvent(event, kms);
    default:
      throw new Error(`unsupported resource type ${event.ResourceType}`);
  }
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  logRequest('isComplete', event);
  switch (event.ResourceType) {
    case HSM_RESOURCE_TYPES.cluster:
      return isClusterComplete(event, hsm, ec2);
    case HSM_RESOURCE_TYPES.keyStore:
      return isKeyStoreComplete(event, { hsm, kms, secrets });
    case HSM_RESOURCE_TYPES.key:
      return isKeyComplete(event, kms);
    default:
      throw new Error(`unsupported resource type ${event.ResourceType}`);
  }
}
