/**
 * Custom::ExclusiveDeskHsmKey: a symmetric KMS key whose material lives in the tenant's CloudHSM cluster (origin
 * AWS_CLOUDHSM), with the same key policy as the tenant's AWS KMS keys. Never scheduled for deletion by a stack
 * operation. Keys in custom key stores do not support automatic rotation (docs/hsm.md, manual rotation).
 */
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  PutKeyPolicyCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  sameTags,
  stringProp,
  tagsProp,
  type IsCompleteRequest,
  type IsCompleteResponse,
  type OnEventRequest,
  type OnEventResponse,
  type Tag,
} from './types';
import { log } from './log';

const RESOURCE = 'Custom::ExclusiveDeskHsmKey';

interface KeyProps {
  readonly CustomKeyStoreId: string;
  readonly Origin: string;
  readonly Policy: string;
  readonly Description: string;
  readonly KeyUsage: string;
  readonly KeySpec: string;
  readonly Tags: Tag[];
}

function readProps(props: Readonly<Record<string, unknown>> | undefined): KeyProps {
  const policy = props?.Policy;
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new Error(`${RESOURCE}: property Policy must be a key policy document (an object), got ${JSON.stringify(policy)}`);
  }
  const origin = stringProp(props, 'Origin', RESOURCE);
  if (origin !== 'AWS_CLOUDHSM') throw new Error(`${RESOURCE}: property Origin must be AWS_CLOUDHSM, got ${origin}`);
  return {
    CustomKeyStoreId: stringProp(props, 'CustomKeyStoreId', RESOURCE),
    Origin: origin,
    Policy: JSON.stringify(policy),
    Description: typeof props?.Description === 'string' ? props.Description : '',
    KeyUsage: typeof props?.KeyUsage === 'string' ? props.KeyUsage : 'ENCRYPT_DECRYPT',
    KeySpec: typeof props?.KeySpec === 'string' ? props.KeySpec : 'SYMMETRIC_DEFAULT',
    Tags: tagsProp(props),
  };
}

async function createKey(kms: KMSClient, props: KeyProps): Promise<OnEventResponse> {
  const out = await kms.send(
    new CreateKeyCommand({
      Origin: 'AWS_CLOUDHSM',
      CustomKeyStoreId: props.CustomKeyStoreId,
      Policy: props.Policy,
      Description: props.Description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Tags: props.Tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })),
    }),
  );
  const keyId = out.KeyMetadata?.KeyId;
  if (!keyId) throw new Error(`${RESOURCE}: CreateKey returned no KeyId`);
  log(`${RESOURCE}: created key ${keyId} in custom key store ${props.CustomKeyStoreId}`);
  return { PhysicalResourceId: keyId, Data: { KeyId: keyId, Arn: out.KeyMetadata?.Arn ?? '' } };
}

export async function onKeyEvent(event: OnEventRequest, kms: KMSClient): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    log(`${RESOURCE}: retaining key ${event.PhysicalResourceId ?? '(none)'} on delete`);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = readProps(event.ResourceProperties);
  if (event.RequestType === 'Create') return createKey(kms, props);

  const keyId = event.PhysicalResourceId!;
  const old = readProps(event.OldResourceProperties);
  if (old.CustomKeyStoreId !== props.CustomKeyStoreId || old.KeyUsage !== props.KeyUsage || old.KeySpec !== props.KeySpec) {
    // A new key; CloudFormation then deletes the old one, which this handler retains.
    return createKey(kms, props);
  }
  if (old.Policy !== props.Policy) {
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: props.Policy }));
  }
  if (old.Description !== props.Description) {
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: props.Description }));
  }
  if (!sameTags(old.Tags, props.Tags) && props.Tags.length > 0) {
    await kms.send(
      new TagResourceCommand({ KeyId: keyId, Tags: props.Tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })) }),
    );
  }
  return { PhysicalResourceId: keyId };
}

export async function isKeyComplete(event: IsCompleteRequest, kms: KMSClient): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const out = await kms.send(new DescribeKeyCommand({ KeyId: event.PhysicalResourceId }));
  const meta = out.KeyMetadata;
  const state = meta?.KeyState ?? 'Unknown';
  if (state === 'Enabled') return { IsComplete: true, Data: { KeyId: meta?.KeyId ?? '', Arn: meta?.Arn ?? '' } };
  if (state === 'Creating' || state === 'Unavailable') return { IsComplete: false };
  throw new Error(`${RESOURCE}: key ${event.PhysicalResourceId} is ${state}, expected Enabled`);
}
