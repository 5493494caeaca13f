/**
 * ISO-DATA-3, live: no DB instance replicates from, or to, a database outside the tenant's account, and any cluster
 * it joins is in the tenant's account.
 */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, accountOfArn, at, need, ownerOf } from '../evidence.live';

export const liveActions = [...ACTIONS.databases];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const dbs = need(inv.databases, inv, report, 'database replication and cluster membership');
  if (!dbs) return;
  const ids = new Set(dbs.map((d) => d.id));
  for (const d of dbs) {
    let outside = 0;
    const judge = (ref: string, path: string, what: string): void => {
      // A bare identifier is an instance of the same account and region; an ARN says where it is.
      const account = accountOfArn(ref);
      const owner = account ? ownerOf(inv, account) : ids.has(ref) ? 'self' : 'unknown';
      if (owner === 'self') return;
      outside++;
      if (owner === 'other') report.fail({ ...at(inv, d.arn, path), value: ref, message: `DB instance ${d.id} ${what} ${ref} in account ${account}, outside the tenant` });
      else report.unverifiable({ ...at(inv, d.arn, path), value: ref, message: `could not verify DB instance ${d.id}: it ${what} ${ref}, which is not among the tenant's instances` });
    };
    if (d.readReplicaSource) judge(d.readReplicaSource, 'DescribeDBInstances.ReadReplicaSourceDBInstanceIdentifier', 'is a read replica of');
    for (const r of d.readReplicas) judge(r, 'DescribeDBInstances.ReadReplicaDBInstanceIdentifiers', 'replicates to');
    if (outside === 0) {
      const links = [d.clusterId && `member of cluster ${d.clusterId}`, d.readReplicaSource && `replica of ${d.readReplicaSource}`, d.readReplicas.length > 0 && `replicas ${d.readReplicas.join(', ')}`].filter(Boolean);
      report.pass({
        ...at(inv, d.arn, 'DescribeDBInstances'),
        message: `DB instance ${d.id} ${links.length > 0 ? `links only to the tenant's account (${links.join('; ')})` : 'is standalone: no cluster, replication source or replica'}`,
      });
    }
  }
}
