import { CloudHSMV2Client, DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CustomKeyStoreNotFoundException,
  DescribeCustomKeyStoresCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { isKeyStoreComplete, onKeyStoreEvent } from '../../lib/hsm/key-store';
import type { IsCompleteRequest } from '../../lib/hsm/types';

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
const smMock = mockClient(SecretsManagerClient);
const clients = {
  hsm: new CloudHSMV2Client({ region: 'us-gov-west-1' }),
  kms: new KMSClient({ region: 'us-gov-west-1' }),
  secrets: new SecretsManagerClient({ region: 'us-gov-west-1' }),
};
const PROPS = { CustomKeyStoreName: 'exclusive-desk-fedline-gov', CloudHsmClusterId: 'cluster-1', KmsUserSecretArn: 'arn:secret' };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const event = (over: Partial<IsCompleteRequest> = {}): IsCompleteRequest => ({
  RequestType: 'Create',
  ResourceType: 'Custom::ExclusiveDeskCustomKeyStore',
  LogicalResourceId: 'HsmKeyStore903E8483',
  StackId: 'stack',
  RequestId: 'r',
  PhysicalResourceId: 'exclusive-desk-fedline-gov',
  ResourceProperties: { ServiceToken: 'arn', ...PROPS },
  ...over,
});
const notFound = () => new CustomKeyStoreNotFoundException({ message: 'not found', $metadata: {} });
const readyCluster = () =>
  hsmMock.on(DescribeClustersCommand).resolves({
    Clusters: [{ ClusterId: 'cluster-1', State: 'ACTIVE', Hsms: [{ State: 'ACTIVE', AvailabilityZone: 'a' }, { State: 'ACTIVE', AvailabilityZone: 'b' }] }],
  });
const secret = (value: object) => smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value) });

let logs: string[];
beforeEach(() => {
  hsmMock.reset();
  kmsMock.reset();
  smMock.reset();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((m: string) => void logs.push(m));
});
afterEach(() => jest.restoreAllMocks());

describe('onKeyStoreEvent', () => {
  test('identifies the key store by its name before it exists', () => {
    expect(onKeyStoreEvent(event())).toEqual({ PhysicalResourceId: 'exclusive-desk-fedline-gov' });
  });

  test('refuses to move the key store to another cluster in place', () => {
    expect(() =>
      onKeyStoreEvent(event({ RequestType: 'Update', OldResourceProperties: { ...PROPS, CloudHsmClusterId: 'cluster-0' } })),
    ).toThrow('CloudHsmClusterId of key store exclusive-desk-fedline-gov cannot change in place (was cluster-0, asked cluster-1)');
  });

  test('never disconnects or deletes the key store', () => {
    expect(onKeyStoreEvent(event({ RequestType: 'Delete' }))).toEqual({ PhysicalResourceId: 'exclusive-desk-fedline-gov' });
    expect(kmsMock.calls()).toHaveLength(0);
  });
});

describe('isKeyStoreComplete', () => {
  test('fails at once, naming every missing step, when the ceremony is not finished (never waits for a person)', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).rejects(notFound());
    hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterId: 'cluster-1', State: 'UNINITIALIZED', Hsms: [{ State: 'ACTIVE', AvailabilityZone: 'a' }] }] });
    secret({ kmsuserPassword: 'generated-password-0123456789', trustAnchorCertificate: '' });
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow(
      'Custom::ExclusiveDeskCustomKeyStore: the initialisation ceremony of cluster cluster-1 is not finished: ' +
        'cluster cluster-1 is UNINITIALIZED, not ACTIVE (initialise and activate it); ' +
        'cluster cluster-1 has active HSMs in 1 zone(s); KMS needs 2; ' +
        'secret arn:secret field trustAnchorCertificate must hold the PEM of customerCA.crt. ' +
        'Finish docs/hsm.md (step 3 onwards), then deploy hsm.phase complete again',
    );
    expect(kmsMock.commandCalls(CreateCustomKeyStoreCommand)).toHaveLength(0);
  });

  test('refuses a key store of the same name on another cluster (one tenant, one cluster)', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).resolves({
      CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-0', ConnectionState: 'CONNECTED' }],
    });
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow(
      'key store exclusive-desk-fedline-gov (cks-1) is on cluster cluster-0, not on cluster-1; one tenant has one cluster',
    );
  });

  test('creates and connects the key store once the cluster is ready', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).rejects(notFound());
    kmsMock.on(CreateCustomKeyStoreCommand).resolves({ CustomKeyStoreId: 'cks-1' });
    kmsMock.on(ConnectCustomKeyStoreCommand).resolves({});
    readyCluster();
    secret({ kmsuserPassword: 'generated-password-0123456789', trustAnchorCertificate: PEM });
    await expect(isKeyStoreComplete(event(), clients)).resolves.toEqual({ IsComplete: false });
    expect(kmsMock.commandCalls(CreateCustomKeyStoreCommand)[0]!.args[0].input).toEqual({
      CustomKeyStoreName: 'exclusive-desk-fedline-gov',
      CloudHsmClusterId: 'cluster-1',
      TrustAnchorCertificate: PEM,
      KeyStorePassword: 'generated-password-0123456789',
    });
    expect(kmsMock.commandCalls(ConnectCustomKeyStoreCommand)[0]!.args[0].input).toEqual({ CustomKeyStoreId: 'cks-1' });
    expect(logs.join('\n')).not.toContain('generated-password-0123456789');
  });

  test('waits while connecting and completes with the key store id once connected', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-1', ConnectionState: 'CONNECTING' }] });
    await expect(isKeyStoreComplete(event(), clients)).resolves.toEqual({ IsComplete: false });
    kmsMock.reset();
    kmsMock.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-1', ConnectionState: 'CONNECTED' }] });
    await expect(isKeyStoreComplete(event(), clients)).resolves.toEqual({ IsComplete: true, Data: { CustomKeyStoreId: 'cks-1' } });
  });

  test('reconnects a disconnected key store', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-1', ConnectionState: 'DISCONNECTED' }] });
    kmsMock.on(ConnectCustomKeyStoreCommand).resolves({});
    readyCluster();
    secret({ kmsuserPassword: 'generated-password-0123456789', trustAnchorCertificate: PEM });
    await expect(isKeyStoreComplete(event(), clients)).resolves.toEqual({ IsComplete: false });
    expect(kmsMock.commandCalls(CreateCustomKeyStoreCommand)).toHaveLength(0);
    expect(kmsMock.commandCalls(ConnectCustomKeyStoreCommand)).toHaveLength(1);
  });

  test('fails with the connection error of a failed key store', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).resolves({
      CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', CloudHsmClusterId: 'cluster-1', ConnectionState: 'FAILED', ConnectionErrorCode: 'INVALID_CREDENTIALS' }],
    });
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow(
      'key store exclusive-desk-fedline-gov (cks-1) failed to connect: INVALID_CREDENTIALS',
    );
  });

  test('a password of the wrong length blocks creation', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).rejects(notFound());
    readyCluster();
    secret({ kmsuserPassword: 'short', trustAnchorCertificate: PEM });
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow('field kmsuserPassword must be 7-32 characters');
  });

  test('surfaces throttling and access errors instead of treating them as not found', async () => {
    kmsMock.on(DescribeCustomKeyStoresCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow('Rate exceeded');
    kmsMock.reset();
    kmsMock.on(DescribeCustomKeyStoresCommand).rejects(notFound());
    readyCluster();
    smMock.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(isKeyStoreComplete(event(), clients)).rejects.toThrow('denied');
  });
});
