import { CloudHSMV2Client, DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../lib/hsm/handler';
import { HSM_RESOURCE_TYPES, type IsCompleteRequest } from '../../lib/hsm/types';

/**
 * client-cloudhsm-v2 3.332 predates the smithy types aws-sdk-client-mock 4 is typed against: the stub works at run
 * time, so it is used through this narrow structural type.
 */
interface HsmStub {
  on(command: unknown, input?: unknown): { resolves(output: unknown): HsmStub; rejects(error: unknown): HsmStub };
  reset(): void;
  calls(): unknown[];
  commandCalls(command: unknown): { args: [{ input: Record<string, unknown> }] }[];
}
const hsmMock = mockClient(CloudHSMV2Client as never) as unknown as HsmStub;
const kmsMock = mockClient(KMSClient);

const base = (ResourceType: string): IsCompleteRequest => ({
  RequestType: 'Create',
  ResourceType,
  LogicalResourceId: 'X',
  StackId: 's',
  RequestId: 'r',
  PhysicalResourceId: 'id-1',
  ResourceProperties: { CustomKeyStoreName: 'exclusive-desk-t', CloudHsmClusterId: 'c', KmsUserSecretArn: 'a' },
});

beforeEach(() => {
  hsmMock.reset();
  kmsMock.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('dispatches each custom resource type to its handler', async () => {
  await expect(onEvent(base(HSM_RESOURCE_TYPES.keyStore))).resolves.toEqual({ PhysicalResourceId: 'exclusive-desk-t' });
  hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterId: 'id-1', State: 'CREATE_IN_PROGRESS' }] });
  await expect(isComplete(base(HSM_RESOURCE_TYPES.cluster))).resolves.toEqual({ IsComplete: false });
  kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'id-1', Arn: 'arn:k', KeyState: 'Enabled' } });
  await expect(isComplete(base(HSM_RESOURCE_TYPES.key))).resolves.toMatchObject({ IsComplete: true });
});

test('rejects an unknown resource type', async () => {
  await expect(onEvent(base('Custom::Other'))).rejects.toThrow('unsupported resource type Custom::Other');
  await expect(isComplete(base('Custom::Other'))).rejects.toThrow('unsupported resource type Custom::Other');
});
