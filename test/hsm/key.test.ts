import {
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { isKeyComplete, onKeyEvent } from '../../lib/hsm/key';
import type { IsCompleteRequest, OnEventRequest } from '../../lib/hsm/types';

const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-gov-west-1' });
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws-us-gov:iam::333333333333:root' }, Action: ['kms:Describe*'], Resource: '*' }] };
const PROPS = {
  Origin: 'AWS_CLOUDHSM',
  CustomKeyStoreId: 'cks-1',
  KeyUsage: 'ENCRYPT_DECRYPT',
  KeySpec: 'SYMMETRIC_DEFAULT',
  Description: 'exclusive-desk fedline-gov: database data (CloudHSM)',
  Policy: POLICY,
  Tags: [{ Key: 'exclusive-desk:tenant', Value: 'fedline-gov' }],
};
const event = (over: Partial<OnEventRequest> = {}): OnEventRequest => ({
  RequestType: 'Create',
  ResourceType: 'Custom::ExclusiveDeskHsmKey',
  LogicalResourceId: 'HsmDatabaseKeyA2CFC7FC',
  StackId: 'stack',
  RequestId: 'r',
  ResourceProperties: { ServiceToken: 'arn', ...PROPS },
  ...over,
});
const KEY_ARN = 'arn:aws-us-gov:kms:us-gov-west-1:333333333333:key/k-1';

beforeEach(() => {
  kmsMock.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('onKeyEvent', () => {
  test('creates a key in the custom key store with the policy, description and tags', async () => {
    kmsMock.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Arn: KEY_ARN } });
    await expect(onKeyEvent(event(), kms)).resolves.toEqual({ PhysicalResourceId: 'k-1', Data: { KeyId: 'k-1', Arn: KEY_ARN } });
    expect(kmsMock.commandCalls(CreateKeyCommand)[0]!.args[0].input).toEqual({
      Origin: 'AWS_CLOUDHSM',
      CustomKeyStoreId: 'cks-1',
      Policy: JSON.stringify(POLICY),
      Description: PROPS.Description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Tags: [{ TagKey: 'exclusive-desk:tenant', TagValue: 'fedline-gov' }],
    });
  });

  test('refuses an origin other than AWS_CLOUDHSM and a policy that is not a document', async () => {
    await expect(onKeyEvent(event({ ResourceProperties: { ...PROPS, Origin: 'AWS_KMS' } }), kms)).rejects.toThrow(
      'property Origin must be AWS_CLOUDHSM, got AWS_KMS',
    );
    await expect(onKeyEvent(event({ ResourceProperties: { ...PROPS, Policy: '{}' } }), kms)).rejects.toThrow(
      'property Policy must be a key policy document (an object)',
    );
    expect(kmsMock.calls()).toHaveLength(0);
  });

  test('updates the policy, description and tags in place', async () => {
    kmsMock.on(PutKeyPolicyCommand).resolves({}).on(UpdateKeyDescriptionCommand).resolves({}).on(TagResourceCommand).resolves({});
    const old = { ...PROPS, Policy: { Version: '2012-10-17', Statement: [] }, Description: 'old', Tags: [] };
    await expect(
      onKeyEvent(event({ RequestType: 'Update', PhysicalResourceId: 'k-1', OldResourceProperties: old }), kms),
    ).resolves.toEqual({ PhysicalResourceId: 'k-1' });
    expect(kmsMock.commandCalls(PutKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: 'k-1', PolicyName: 'default', Policy: JSON.stringify(POLICY) });
    expect(kmsMock.commandCalls(UpdateKeyDescriptionCommand)).toHaveLength(1);
    expect(kmsMock.commandCalls(TagResourceCommand)).toHaveLength(1);
    expect(kmsMock.commandCalls(CreateKeyCommand)).toHaveLength(0);
  });

  test('a new key store means a new key (the old one is retained, never deleted)', async () => {
    kmsMock.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-2', Arn: `${KEY_ARN}2` } });
    const res = await onKeyEvent(
      event({ RequestType: 'Update', PhysicalResourceId: 'k-1', OldResourceProperties: { ...PROPS, CustomKeyStoreId: 'cks-0' } }),
      kms,
    );
    expect(res.PhysicalResourceId).toBe('k-2');
    await expect(onKeyEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'k-1' }), kms)).resolves.toEqual({ PhysicalResourceId: 'k-1' });
    expect(kmsMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateKeyCommand']);
  });
});

describe('isKeyComplete', () => {
  const complete = (over: Partial<IsCompleteRequest> = {}): IsCompleteRequest => ({ ...event(), PhysicalResourceId: 'k-1', ...over });

  test('completes with the key ARN once the key is enabled', async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Arn: KEY_ARN, KeyState: 'Enabled' } });
    await expect(isKeyComplete(complete(), kms)).resolves.toEqual({ IsComplete: true, Data: { KeyId: 'k-1', Arn: KEY_ARN } });
  });

  test('waits while the key store is unavailable and fails on a key pending deletion', async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', KeyState: 'Unavailable' } });
    await expect(isKeyComplete(complete(), kms)).resolves.toEqual({ IsComplete: false });
    kmsMock.reset();
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', KeyState: 'PendingDeletion' } });
    await expect(isKeyComplete(complete(), kms)).rejects.toThrow('key k-1 is PendingDeletion, expected Enabled');
  });
});
