import { describe, litString, type ResourceRef } from '../../model';
import { DATABASE_TYPES, placementOf, targetResource, vpcTenancy } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

/** DB instance classes AWS does not offer as dedicated EC2 instances (burstable, serverless, old generations). */
export const NON_DEDICATED_CLASS = /^db\.(t\d[a-z]*|serverless|m1|m2|m3|r3)\b/;

function subnetVpcTenancy(r: ResourceRef, subnetNode: unknown): ('dedicated' | 'default' | 'host' | undefined)[] {
  return r.stack.flatValues(subnetNode).map((v) => {
    const subnet = targetResource(v);
    if (subnet?.type !== 'AWS::EC2::Subnet') return undefined;
    const vpc = subnet.stack.resolve(subnet.props.VpcId).map(targetResource)[0];
    return vpc?.type === 'AWS::EC2::VPC' ? vpcTenancy(vpc) : undefined;
  });
}

function judge(r: ResourceRef, path: string, tenancies: (string | undefined)[], report: Reporter, what: string): void {
  if (tenancies.length === 0) {
    report.unverifiable({ stack: r.stack.name, resource: r.id, path, message: `${what}: no subnet or tenancy the verifier can follow` });
  } else if (tenancies.every((t) => t === 'dedicated' || t === 'host')) {
    report.pass({ stack: r.stack.name, resource: r.id, path, value: tenancies.join(', '), message: `${what} runs on dedicated tenancy` });
  } else if (tenancies.some((t) => t === undefined)) {
    report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: tenancies.map(String).join(', '), message: `${what}: the tenancy cannot be resolved` });
  } else {
    report.fail({ stack: r.stack.name, resource: r.id, path, value: tenancies.join(', '), message: `${what} runs on default (shared-hardware) tenancy` });
  }
}

/** ISO-HW-1: the database and any EC2 compute run on single-tenant hardware. */
export const dedicatedHardware: IsolationRule = {
  id: 'ISO-HW-1',
  title: 'The database and any EC2 compute run on dedicated (single-tenant) hardware',
  severity: 'error',
  concern: 'database',
  proves: 'hardware',
  rationale:
    'A "hardware-isolated" licence on default tenancy shares physical hosts with other AWS customers, and Fargate and ' +
    'burstable classes cannot be dedicated at all. The hardware level needs the DB instance in a VPC with ' +
    'InstanceTenancy dedicated and every EC2 instance or launch template on dedicated tenancy. (AWS treats RDS ' +
    'dedicated tenancy as requested, not guaranteed: the live check confirms it.)',
  remediation: 'Use isolation: hardware in the manifest: TenantNetwork then creates the data VPC with instanceTenancy DEDICATED.',
  controls: ['NIST SC-39', 'NIST SC-32', 'ITAR 120.54', 'FedRAMP SC-32'],
  checkTemplate(tenant, report) {
    for (const db of tenant.ofType(...DATABASE_TYPES)) {
      const p = placementOf(db);
      const what = `${db.id} (${db.type})`;
      if (p.none || p.vpcs.length === 0) {
        report.fail({ stack: db.stack.name, resource: db.id, path: 'Properties.DBSubnetGroupName', message: `${what} is not in a VPC of the tenant, so it cannot be on dedicated tenancy` });
        continue;
      }
      judge(db, 'Properties.DBSubnetGroupName', p.vpcs.map(vpcTenancy), report, what);
      if (db.type === 'AWS::RDS::DBCluster') {
        report.fail({ stack: db.stack.name, resource: db.id, path: 'Type', value: db.type, message: `${what}: Aurora clusters do not run on dedicated tenancy` });
      }
      for (const v of db.stack.resolve(db.props.DBInstanceClass)) {
        const cls = litString(v);
        if (cls && NON_DEDICATED_CLASS.test(cls)) {
          report.fail({ stack: db.stack.name, resource: db.id, path: 'Properties.DBInstanceClass', value: cls, message: `${what} uses ${cls}, a class AWS does not offer on dedicated tenancy` });
        }
      }
    }
    for (const r of tenant.ofType('AWS::EC2::Instance')) {
      const own = r.stack.resolve(r.props.Tenancy).map((v) => (v.k === 'absent' ? undefined : litString(v)));
      if (own.every((t) => t === 'dedicated' || t === 'host')) judge(r, 'Properties.Tenancy', own, report, r.id);
      else judge(r, 'Properties.SubnetId', subnetVpcTenancy(r, r.props.SubnetId), report, r.id);
    }
    for (const r of tenant.ofType('AWS::EC2::LaunchTemplate')) {
      const t = r.stack.valuesAt(r.props, ['LaunchTemplateData', 'Placement', 'Tenancy']).map((v) => (v.k === 'absent' ? 'default' : litString(v)));
      judge(r, 'Properties.LaunchTemplateData.Placement.Tenancy', t, report, r.id);
    }
    for (const r of tenant.ofType('AWS::AutoScaling::LaunchConfiguration')) {
      const t = r.stack.resolve(r.props.PlacementTenancy).map((v) => (v.k === 'absent' ? 'default' : litString(v)));
      judge(r, 'Properties.PlacementTenancy', t, report, r.id);
    }
    for (const r of tenant.ofType('AWS::ECS::Service', 'AWS::ECS::TaskSet')) {
      const launch = r.stack.resolve(r.props.LaunchType).map(litString);
      const providers = r.stack.elements(r.props.CapacityProviderStrategy).flatMap((s) => r.stack.valuesAt(s, ['CapacityProvider']).map(litString));
      if (launch.includes('FARGATE') || providers.some((p) => p?.startsWith('FARGATE'))) {
        report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.LaunchType', value: 'FARGATE', message: `${r.id} runs on Fargate, which is always multi-tenant hardware` });
      }
    }
    for (const r of tenant.ofType('AWS::EKS::FargateProfile')) {
      report.fail({ stack: r.stack.name, resource: r.id, path: 'Type', value: describe({ k: 'lit', v: r.type }), message: `${r.id} runs pods on Fargate, which is always multi-tenant hardware` });
    }
  },
};
