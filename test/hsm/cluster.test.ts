import {
  CloudHSMV2Client,
  CreateClusterCommand,
  CreateHsmCommand,
  DeleteClusterCommand,
  DeleteHsmCommand,
  DescribeClustersCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudhsm-v2';
import { DeleteSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { LOGICAL_ID_TAG, isClusterComplete, onClusterEvent } from '../../lib/hsm/cluster';
import type { IsCompleteRequest, OnEventRequest } from '../../lib/hsm/types';

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
const client = new CloudHSMV2Client({ region: 'us-gov-west-1' });
const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-gov-west-1' });
const TAGS = [{ Key: 'exclusive-desk:tenant', Value: 'fedline-gov' }];
const PROPS = { HsmType: 'hsm2m.medium', SubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'], VpcId: 'vpc-1', Tags: TAGS };

const event = (over: Partial<OnEventRequest> = {}): OnEventRequest => ({
  RequestType: 'Create',
  ResourceType: 'Custom::ExclusiveDeskHsmCluster',
  LogicalResourceId: 'HsmCluster5A55A721',
  StackId: 'arn:aws-us-gov:cloudformation:us-gov-west-1:333333333333:stack/ExclusiveDesk-fedline-gov/1',
  RequestId: 'r-1',
  ResourceProperties: { ServiceToken: 'arn', ...PROPS },
  ...over,
});
const complete = (over: Partial<IsCompleteRequest> = {}): IsCompleteRequest => ({ ...event(), PhysicalResourceId: 'cluster-1', ...over });

beforeEach(() => {
  hsmMock.reset();
  ec2Mock.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('onClusterEvent', () => {
  test('creates a cluster in the given subnets, tagged with the tenant and the logical id', async () => {
    hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [] });
    hsmMock.on(CreateClusterCommand).resolves({ Cluster: { ClusterId: 'cluster-1' } });
    await expect(onClusterEvent(event(), client)).resolves.toEqual({ PhysicalResourceId: 'cluster-1', Data: { ClusterId: 'cluster-1' } });
    expect(hsmMock.commandCalls(CreateClusterCommand)[0]!.args[0].input).toEqual({
      HsmType: 'hsm2m.medium',
      SubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
      TagList: [...TAGS, { Key: LOGICAL_ID_TAG, Value: 'HsmCluster5A55A721' }],
    });
    // Every cluster of the account and region is looked at, not only the VPC's: one tenant, one cluster.
    expect(hsmMock.commandCalls(DescribeClustersCommand)[0]!.args[0].input.Filters).toEqual({});
  });

  test('adopts the cluster a failed earlier attempt of the same resource left behind, across pages', async () => {
    hsmMock
      .on(DescribeClustersCommand, { Filters: {}, NextToken: undefined })
      .resolves({ Clusters: [{ ClusterId: 'cluster-foreign', State: 'ACTIVE', VpcId: 'vpc-9', TagList: [] }], NextToken: 'p2' })
      .on(DescribeClustersCommand, { Filters: {}, NextToken: 'p2' })
      .resolves({
        Clusters: [
          { ClusterId: 'cluster-deleted', State: 'DELETED', VpcId: 'vpc-1', TagList: [...TAGS, { Key: LOGICAL_ID_TAG, Value: 'HsmCluster5A55A721' }] },
          { ClusterId: 'cluster-old', State: 'UNINITIALIZED', VpcId: 'vpc-1', TagList: [...TAGS, { Key: LOGICAL_ID_TAG, Value: 'HsmCluster5A55A721' }] },
        ],
      });
    await expect(onClusterEvent(event(), client)).resolves.toEqual({ PhysicalResourceId: 'cluster-old', Data: { ClusterId: 'cluster-old' } });
    expect(hsmMock.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });

  test('never creates a second cluster while the tenant has one elsewhere (an orphaned VPC of an earlier attempt)', async () => {
    hsmMock.on(DescribeClustersCommand).resolves({
      Clusters: [{ ClusterId: 'cluster-first', State: 'ACTIVE', VpcId: 'vpc-old', TagList: [...TAGS, { Key: LOGICAL_ID_TAG, Value: 'HsmCluster5A55A721' }] }],
    });
    await expect(onClusterEvent(event(), client)).rejects.toThrow(
      'Custom::ExclusiveDeskHsmCluster: the tenant already has CloudHSM cluster cluster-first (ACTIVE) in vpc-old, not in vpc-1; one tenant has one cluster',
    );
    expect(hsmMock.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });

  test('refuses to move or re-type an existing cluster', async () => {
    await expect(
      onClusterEvent(
        event({ RequestType: 'Update', PhysicalResourceId: 'cluster-1', OldResourceProperties: { ...PROPS, HsmType: 'hsm1.medium' } }),
        client,
      ),
    ).rejects.toThrow('HsmType, SubnetIds and VpcId of CloudHSM cluster cluster-1 cannot change in place');
    expect(hsmMock.calls()).toHaveLength(0);
  });

  test('updates tags in place', async () => {
    hsmMock.on(TagResourceCommand).resolves({});
    const res = await onClusterEvent(
      event({ RequestType: 'Update', PhysicalResourceId: 'cluster-1', OldResourceProperties: { ...PROPS, Tags: [] } }),
      client,
    );
    expect(res.PhysicalResourceId).toBe('cluster-1');
    expect(hsmMock.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ ResourceId: 'cluster-1', TagList: TAGS });
  });

  test('a delete request itself deletes nothing (isComplete decides)', async () => {
    await expect(onClusterEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'cluster-1' }), client)).resolves.toEqual({
      PhysicalResourceId: 'cluster-1',
    });
    expect(hsmMock.calls()).toHaveLength(0);
  });

  test('rejects fewer than 2 subnets', async () => {
    await expect(onClusterEvent(event({ ResourceProperties: { ...PROPS, SubnetIds: ['subnet-a'] } }), client)).rejects.toThrow(
      'property SubnetIds must list at least 2 subnet ids',
    );
  });

  test('surfaces AccessDenied from CloudHSM', async () => {
    hsmMock.on(DescribeClustersCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(onClusterEvent(event(), client)).rejects.toThrow('not authorized');
  });
});

describe('isClusterComplete', () => {
  const describeAs = (cluster: object) => hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterId: 'cluster-1', ...cluster }] });

  test('waits while the cluster is being created', async () => {
    describeAs({ State: 'CREATE_IN_PROGRESS' });
    await expect(isClusterComplete(complete(), client)).resolves.toEqual({ IsComplete: false });
  });

  test('creates the first HSM in the first zone of a new cluster', async () => {
    describeAs({ State: 'UNINITIALIZED', Hsms: [], SubnetMapping: { 'us-gov-west-1b': 'subnet-b', 'us-gov-west-1a': 'subnet-a' } });
    hsmMock.on(CreateHsmCommand).resolves({});
    await expect(isClusterComplete(complete(), client)).resolves.toEqual({ IsComplete: false });
    expect(hsmMock.commandCalls(CreateHsmCommand)[0]!.args[0].input).toEqual({ ClusterId: 'cluster-1', AvailabilityZone: 'us-gov-west-1a' });
  });

  test('waits for the first HSM, then completes with the cluster facts', async () => {
    describeAs({ State: 'UNINITIALIZED', Hsms: [{ State: 'CREATE_IN_PROGRESS' }] });
    await expect(isClusterComplete(complete(), client)).resolves.toEqual({ IsComplete: false });
    hsmMock.reset();
    describeAs({ State: 'UNINITIALIZED', SecurityGroup: 'sg-hsm', Hsms: [{ State: 'ACTIVE' }] });
    await expect(isClusterComplete(complete(), client)).resolves.toEqual({
      IsComplete: true,
      Data: { ClusterId: 'cluster-1', SecurityGroup: 'sg-hsm', State: 'UNINITIALIZED' },
    });
  });

  test('an already initialised cluster is complete', async () => {
    describeAs({ State: 'ACTIVE', Hsms: [{ State: 'ACTIVE' }, { State: 'ACTIVE' }] });
    await expect(isClusterComplete(complete(), client)).resolves.toMatchObject({ IsComplete: true });
  });

  test('fails on a deleted cluster and on one that does not exist', async () => {
    describeAs({ State: 'DELETED' });
    await expect(isClusterComplete(complete(), client)).rejects.toThrow('CloudHSM cluster cluster-1 is DELETED');
    hsmMock.reset();
    hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [] });
    await expect(isClusterComplete(complete(), client)).rejects.toThrow('CloudHSM cluster cluster-1 does not exist');
  });

  describe('delete (sent only when the deploy that created the cluster rolls back: RetainExceptOnCreate)', () => {
    const del = () => isClusterComplete(complete({ RequestType: 'Delete' }), client, ec2);

    test.each(['INITIALIZE_IN_PROGRESS', 'INITIALIZED', 'ACTIVE', 'DEGRADED'])('retains a cluster that is %s', async (state) => {
      describeAs({ State: state, Hsms: [{ HsmId: 'hsm-1', State: 'ACTIVE' }] });
      await expect(del()).resolves.toEqual({ IsComplete: true });
      expect(hsmMock.commandCalls(DeleteHsmCommand)).toHaveLength(0);
      expect(hsmMock.commandCalls(DeleteClusterCommand)).toHaveLength(0);
    });

    test('deletes an UNINITIALIZED cluster: its HSMs, then the cluster, then its security group', async () => {
      describeAs({ State: 'UNINITIALIZED', SecurityGroup: 'sg-hsm', Hsms: [{ HsmId: 'hsm-1', State: 'ACTIVE' }, { HsmId: 'hsm-2', State: 'DELETE_IN_PROGRESS' }] });
      hsmMock.on(DeleteHsmCommand).resolves({});
      await expect(del()).resolves.toEqual({ IsComplete: false });
      expect(hsmMock.commandCalls(DeleteHsmCommand).map((c) => c.args[0].input)).toEqual([{ ClusterId: 'cluster-1', HsmId: 'hsm-1' }]);
      hsmMock.reset();
      describeAs({ State: 'UNINITIALIZED', SecurityGroup: 'sg-hsm', Hsms: [] });
      hsmMock.on(DeleteClusterCommand).resolves({});
      await expect(del()).resolves.toEqual({ IsComplete: false });
      expect(hsmMock.commandCalls(DeleteClusterCommand)[0]!.args[0].input).toEqual({ ClusterId: 'cluster-1' });
      hsmMock.reset();
      describeAs({ State: 'DELETE_IN_PROGRESS', SecurityGroup: 'sg-hsm' });
      await expect(del()).resolves.toEqual({ IsComplete: false });
      hsmMock.reset();
      describeAs({ State: 'DELETED', SecurityGroup: 'sg-hsm' });
      ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
      await expect(del()).resolves.toEqual({ IsComplete: true });
      expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand)[0]!.args[0].input).toEqual({ GroupId: 'sg-hsm' });
    });

    test('a cluster still being created is waited for; a missing one or a failed create (no cluster id) is done', async () => {
      describeAs({ State: 'CREATE_IN_PROGRESS' });
      await expect(del()).resolves.toEqual({ IsComplete: false });
      hsmMock.reset();
      hsmMock.on(DescribeClustersCommand).resolves({ Clusters: [] });
      await expect(del()).resolves.toEqual({ IsComplete: true });
      hsmMock.reset();
      await expect(isClusterComplete(complete({ RequestType: 'Delete', PhysicalResourceId: 'r-1' }), client, ec2)).resolves.toEqual({ IsComplete: true });
      expect(hsmMock.calls()).toHaveLength(0);
    });

    test('a security group already gone is fine; other EC2 errors surface', async () => {
      describeAs({ State: 'DELETED', SecurityGroup: 'sg-hsm' });
      ec2Mock.on(DeleteSecurityGroupCommand).rejects(Object.assign(new Error('gone'), { name: 'InvalidGroup.NotFound' }));
      await expect(del()).resolves.toEqual({ IsComplete: true });
      ec2Mock.reset();
      ec2Mock.on(DeleteSecurityGroupCommand).rejects(Object.assign(new Error('in use'), { name: 'DependencyViolation' }));
      await expect(del()).rejects.toThrow('in use');
    });
  });
});
