import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  DefaultDashboardFactory,
  MonitoringFacade,
  OpenSearchClusterStatus,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';

/**
 * Service principals that publish a tenant's alarms and events to its topic: CloudWatch alarms and RDS event
 * notifications. Both need `sns:Publish` on the topic and, because the topic is encrypted, `kms:GenerateDataKey*`
 * and `kms:Decrypt` on its key (`tenantKeyPolicy` grants them on the logs key, pinned to the tenant account).
 * Sources: Amazon SNS Developer Guide, "Configuring AWS KMS permissions for AWS services"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services); RDS User
 * Guide, "Granting permissions to publish notifications to an Amazon SNS topic"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html).
 */
export const ALARM_PUBLISHERS = ['cloudwatch.amazonaws.com', 'events.rds.amazonaws.com'] as const;

/** RDS event categories routed to the tenant topic: failed automated backups among them (`backup`). */
export const RDS_EVENT_CATEGORIES = ['availability', 'backup', 'failover', 'failure', 'low storage', 'maintenance'] as const;

export interface TenantMonitoringProps {
  /** The tenant id; prefixes alarm and dashboard names. */
  readonly tenantId: string;
  /** The tenant key the alarm topic is encrypted with (the logs key: its policy admits the alarm publishers). */
  readonly topicKey: kms.IKey;
  /** The tenant database instance. */
  readonly database: rds.DatabaseInstance;
  /** The database's DBInstanceIdentifier (RDS event subscriptions name instances by it). */
  readonly databaseIdentifier: string;
  /** `max_connections` of the database: the connection alarm fires at 80% of it. */
  readonly maxConnections: number;
  /** Allocated storage of the database in GiB: the free-storage alarm fires below 10% of it. */
  readonly allocatedStorageGiB: number;
  /** Memory of the database class in GiB: the freeable-memory alarm fires below 5% of it. */
  readonly databaseMemoryGiB: number;
  /** The tenant search domain. */
  readonly domain: opensearch.Domain;
  /** EBS volume per data node in GiB: the free-storage alarm fires below 25% of it. */
  readonly searchVolumeGiB: number;
  /** Data nodes plus dedicated masters: the node-count alarm fires when fewer are in the cluster. */
  readonly searchNodes: number;
  /** Whether the domain has dedicated master nodes (their CPU and JVM alarms). */
  readonly dedicatedMasters: boolean;
}

/**
 * The alarms an operations team expects for a tenant's database and search domain, built with
 * cdk-monitoring-constructs, routed to a tenant SNS topic encrypted with the tenant's key, and one dashboard.
 *
 * Thresholds follow the CloudWatch User Guide's recommended alarms ("Best practice alarm recommendations for AWS
 * services": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html)
 * and the OpenSearch Service Developer Guide ("Recommended CloudWatch alarms for Amazon OpenSearch Service":
 * https://docs.aws.amazon.com/opensearch-service/latest/developerguide/cloudwatch-alarms.html); docs/operations.md
 * lists each alarm and what to do.
 */
export class TenantMonitoring extends Construct {
  /** The tenant's alarm topic (subscribe the on-call endpoint to it). */
  public readonly topic: sns.Topic;
  public readonly facade: MonitoringFacade;
  /** RDS events (backup failures, failovers, low storage) to the topic. */
  public readonly databaseEvents: rds.CfnEventSubscription;

  constructor(scope: Construct, id: string, props: TenantMonitoringProps) {
    super(scope, id);
    for (const [name, value] of [
      ['maxConnections', props.maxConnections],
      ['allocatedStorageGiB', props.allocatedStorageGiB],
      ['databaseMemoryGiB', props.databaseMemoryGiB],
      ['searchVolumeGiB', props.searchVolumeGiB],
      ['searchNodes', props.searchNodes],
    ] as const) {
      if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${value}`);
    }
    const stack = Stack.of(this);
    const prefix = `exclusive-desk-${props.tenantId}`;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `exclusive-desk ${props.tenantId} alarms`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TenantAlarmsAndEventsPublish',
        principals: ALARM_PUBLISHERS.map((p) => new iam.ServicePrincipal(p)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.topic, onOkTopic: this.topic }),
        datapointsToAlarm: 3,
        evaluationPeriods: 3,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    const gib = 1024 ** 3;
    this.facade.monitorRdsInstance({
      instance: props.database,
      alarmFriendlyName: 'Database',
      addCpuUsageAlarm: { Warning: { maxUsagePercent: 80 } },
      addFreeStorageSpaceAlarm: { Warning: { minCount: Math.floor(props.allocatedStorageGiB * 0.1 * gib) } },
      addMaxConnectionCountAlarm: { Warning: { maxConnectionCount: Math.floor(props.maxConnections * 0.8) } },
    });
    const dimensionsMap = { DBInstanceIdentifier: props.databaseIdentifier };
    this.facade.monitorCustom({
      alarmFriendlyName: 'DatabaseMemoryAndReplication',
      humanReadableName: 'Database memory and replication',
      metricGroups: [
        {
          title: 'Freeable memory',
          metrics: [
            {
              alarmFriendlyName: 'FreeableMemory',
              metric: new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName: 'FreeableMemory', dimensionsMap, statistic: 'Minimum' }),
              addAlarm: {
                Warning: {
                  threshold: Math.floor(props.databaseMemoryGiB * 0.05 * gib),
                  comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                },
              },
            },
          ],
        },
        {
          // A Multi-AZ DB instance's standby is synchronous and reports no ReplicaLag; what lags on PostgreSQL is a
          // replication slot (a read replica or a logical consumer) holding WAL, which fills storage.
          title: 'Replication lag',
          metrics: [
            {
              alarmFriendlyName: 'ReplicaLag',
              metric: new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensionsMap, statistic: 'Maximum' }),
              addAlarm: {
                Warning: {
                  threshold: 300,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                },
              },
            },
            {
              alarmFriendlyName: 'OldestReplicationSlotLag',
              metric: new cloudwatch.Metric({
                namespace: 'AWS/RDS',
                metricName: 'OldestReplicationSlotLag',
                dimensionsMap,
                statistic: 'Maximum',
              }),
              addAlarm: {
                Warning: {
                  threshold: Math.floor(props.allocatedStorageGiB * 0.1 * gib),
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                },
              },
            },
          ],
        },
      ],
    });

    this.facade.monitorOpenSearchCluster({
      domain: props.domain,
      alarmFriendlyName: 'Search',
      addClusterStatusAlarm: {
        Red: { status: OpenSearchClusterStatus.RED, datapointsToAlarm: 1, evaluationPeriods: 1 },
        Yellow: { status: OpenSearchClusterStatus.YELLOW },
      },
      addCpuSpaceUsageAlarm: { Warning: { maxUsagePercent: 80 } },
      addJvmMemoryPressureAlarm: { Warning: { maxUsagePercent: 95 } },
      ...(props.dedicatedMasters
        ? {
            addMasterCpuSpaceUsageAlarm: { Warning: { maxUsagePercent: 50 } },
            addMasterJvmMemoryPressureAlarm: { Warning: { maxUsagePercent: 95 } },
          }
        : {}),
      addDiskSpaceUsageAlarm: { Warning: { maxUsagePercent: 75 } },
      addClusterIndexWritesBlockedAlarm: { Critical: { maxBlockedWrites: 0, datapointsToAlarm: 1, evaluationPeriods: 1 } },
      addClusterNodeCountAlarm: { Critical: { minNodes: props.searchNodes, datapointsToAlarm: 1, evaluationPeriods: 1 } },
      addClusterAutomatedSnapshotFailureAlarm: { Critical: { maxFailures: 0, datapointsToAlarm: 1, evaluationPeriods: 1 } },
      addKmsKeyErrorAlarm: { Critical: { maxErrors: 0, datapointsToAlarm: 1, evaluationPeriods: 1 } },
      addKmsKeyInaccessibleAlarm: { Critical: { maxAccessAttempts: 0, datapointsToAlarm: 1, evaluationPeriods: 1 } },
    });

    this.databaseEvents = new rds.CfnEventSubscription(this, 'DatabaseEvents', {
      snsTopicArn: this.topic.topicArn,
      sourceType: 'db-instance',
      sourceIds: [props.databaseIdentifier],
      eventCategories: [...RDS_EVENT_CATEGORIES],
      enabled: true,
    });
    this.databaseEvents.node.addDependency(this.topic);
  }
}
