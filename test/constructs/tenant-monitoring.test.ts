import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { ALARM_PUBLISHERS, RDS_EVENT_CATEGORIES } from '../../constructs/tenant-monitoring';
import { EXAMPLE_TENANTS, fleetTemplates, type FleetTemplates } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

const LOGS_KEY: Record<string, string> = {
  'acme-health': 'KeysLogsKeyD24E82DB',
  'contoso-markets': 'KeysLogsKeyD24E82DB',
  'northwind-bank': 'KeysLogsKeyD24E82DB',
  'fedline-gov': 'HsmLogsKey5FFDB259',
};

/** Every alarm of the monitoring construct: its metric (the first named metric of a math alarm), comparison, threshold. */
function alarms(t: Template): { metric: string; op: string; threshold: number; actions: unknown }[] {
  return Object.entries(t.findResources('AWS::CloudWatch::Alarm'))
    .filter(([id]) => id.startsWith('MonitoringFacade'))
    .map(([, r]) => {
      const p = (r as { Properties: Record<string, unknown> }).Properties;
      const named = ((p.Metrics ?? []) as { MetricStat?: { Metric?: { MetricName?: string } } }[])
        .map((m) => m.MetricStat?.Metric?.MetricName)
        .filter((n): n is string => n !== undefined);
      return { metric: String(p.MetricName ?? named[0]), op: String(p.ComparisonOperator), threshold: Number(p.Threshold), actions: p.AlarmActions };
    });
}

describe.each(EXAMPLE_TENANTS)('TenantMonitoring of %s', (id) => {
  const t = () => fleet.templates[id]!;

  test('routes alarms to one tenant topic encrypted with the tenant logs key, TLS only', () => {
    t().resourceCountIs('AWS::SNS::Topic', 1);
    t().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [LOGS_KEY[id], 'Arn'] } });
    const policy = new Capture();
    t().hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: policy, Version: '2012-10-17' } });
    expect(policy.asArray()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Sid: 'TenantAlarmsAndEventsPublish',
          Effect: 'Allow',
          Principal: { Service: [...ALARM_PUBLISHERS] },
          Action: 'sns:Publish',
          Condition: { StringEquals: { 'aws:SourceAccount': fleet.built.manifests.find((m) => m.id === id)!.account } },
        }),
      ]),
    );
  });

  test('every alarm acts on the tenant topic', () => {
    const topic = Object.keys(t().findResources('AWS::SNS::Topic'))[0]!;
    expect(alarms(t()).length).toBeGreaterThanOrEqual(17);
    for (const a of alarms(t())) expect(a.actions).toEqual([{ Ref: topic }]);
  });

  test('alarms on the database: CPU, free storage, freeable memory, connections, replica lag', () => {
    const metrics = alarms(t()).map((a) => a.metric);
    expect(metrics).toEqual(
      expect.arrayContaining(['CPUUtilization', 'FreeStorageSpace', 'FreeableMemory', 'DatabaseConnections', 'ReplicaLag', 'OldestReplicationSlotLag']),
    );
  });

  test('alarms on the search domain: red and yellow status, JVM pressure, masters, storage, writes blocked, nodes, snapshots, KMS', () => {
    const metrics = alarms(t()).map((a) => a.metric);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'ClusterStatus.red',
        'ClusterStatus.yellow',
        'JVMMemoryPressure',
        'MasterJVMMemoryPressure',
        'MasterCPUUtilization',
        'ClusterIndexWritesBlocked',
        'Nodes',
        'AutomatedSnapshotFailure',
        'KMSKeyError',
        'KMSKeyInaccessible',
      ]),
    );
  });

  test('sends the database backup, failure, failover and storage events to the topic', () => {
    t().hasResourceProperties('AWS::RDS::EventSubscription', {
      SourceType: 'db-instance',
      SourceIds: [`exclusive-desk-${id}`],
      EventCategories: [...RDS_EVENT_CATEGORIES],
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') },
    });
    expect(RDS_EVENT_CATEGORIES).toContain('backup');
  });

  test('has one dashboard named for the tenant', () => {
    t().resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t().hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `exclusive-desk-${id}` });
  });

  test("the logs key lets the alarm publishers use it, pinned to the tenant account", () => {
    const json = JSON.stringify(fleet.json[id]);
    expect(json).toContain('TenantAlarmsPublishToEncryptedTopic');
  });
});

test('thresholds follow the tenant: acme-health alarms at 80% of 116 connections and below 10% of 160 GiB free', () => {
  const a = alarms(fleet.templates['acme-health']!);
  expect(a.find((x) => x.metric === 'DatabaseConnections')).toMatchObject({ op: 'GreaterThanThreshold', threshold: 92 });
  expect(a.find((x) => x.metric === 'FreeStorageSpace')).toMatchObject({ op: 'LessThanThreshold', threshold: Math.floor(16 * 1024 ** 3) });
  expect(a.find((x) => x.metric === 'ClusterStatus.red')).toMatchObject({ op: 'GreaterThanThreshold', threshold: 0 });
  expect(a.find((x) => x.metric === 'JVMMemoryPressure')).toMatchObject({ op: 'GreaterThanThreshold', threshold: 95 });
  expect(a.find((x) => x.metric === 'Nodes')).toMatchObject({ op: 'LessThanThreshold', threshold: 6 }); // 3 data + 3 masters
});
