import { describe, extOf, litString, piecesOf, type ResourceRef, type Val } from '../../model';
import { foreignClusterArns, isCustomResource, literalIdentifiers, propertyIndex, targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

/** Hostnames of AWS managed data stores, and connection-string schemes. */
// Endpoints carry at least a name and a region label before the service (service principals such as
// monitoring.rds.amazonaws.com do not).
const DATA_HOST = /([a-z0-9-]+\.){2,}(rds|es|aos|aoss|cache|docdb|docdb-elastic|neptune|redshift|redshift-serverless|kafka|memorydb|dax)\.(amazonaws\.com(\.cn)?)/i;
const DATA_URI = /^(postgres(ql)?|mysql|mariadb|mongodb(\+srv)?|rediss?|jdbc:[a-z]+|sqlserver|oracle|amqps?|opensearch|elasticsearch):\/\//i;
const SEARCH_URL = /^https?:\/\/(search|vpc)-[a-z0-9-]+\./i;

/** Property or variable names that carry a data-store location. */
const ENDPOINT_KEY = /(^|[_-]|[a-z])(endpoint|host(name)?|url|uri|address|dsn|connection(string)?|server(name)?)$/i;
const DATA_CONTEXT = /(db|database|pg|postgres|rds|mysql|sql|aurora|search|opensearch|elastic|es|index|redis|cache|mongo|docdb|neptune)/i;
/** Custom resource properties that name a logical partition of a store: a schema, a database, an index. */
const PARTITION_KEY = /^(schema|schemaname|schemas|database|databasename|dbname|index|indexname|indices|indexpattern|tenant|tenantid|tenantname|tenantschema|namespace|keyspace|role|rolename|dbuser|username)$/i;
const LOCATION_KEY = /(endpoint|host|url|uri|address|cluster|domain|connection|secret|server|instance|collection)/i;

const LOCATION_HINT = /amazonaws|:\/\/|jdbc:|URLSuffix|Mappings/i;

/** Whether a raw node contains any string that could make a data-store location (or a map lookup that could). */
function mayHoldLocation(node: unknown, depth: number): boolean {
  if (typeof node === 'string') return LOCATION_HINT.test(node);
  if (depth > 40 || node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => mayHoldLocation(n, depth + 1));
  for (const k in node as Record<string, unknown>) {
    if (k === 'Fn::FindInMap' || mayHoldLocation((node as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

const RESOLVABLE = new Set(['Fn::Sub', 'Fn::Join', 'Fn::If', 'Fn::FindInMap', 'Fn::Select']);

function ownValue(v: Val): boolean {
  if (targetResource(v)) return true;
  const pieces = piecesOf(v);
  return !!pieces?.some((p) => typeof p !== 'string' && p.k === 'res');
}

function literalText(v: Val): string | undefined {
  const pieces = piecesOf(v);
  if (!pieces) return undefined;
  return pieces.map((p) => (typeof p === 'string' ? p : '\u0000')).join('');
}

function looksLikeDataLocation(text: string): boolean {
  // DATA_HOST needs `amazonaws.com`: the cheap test first skips its backtracking on most strings.
  return (/amazonaws\.com/i.test(text) && DATA_HOST.test(text)) || DATA_URI.test(text.trim()) || SEARCH_URL.test(text.trim());
}

function checkEnvironment(r: ResourceRef, name: string, node: unknown, path: string, report: Reporter): void {
  if (!(ENDPOINT_KEY.test(name) && DATA_CONTEXT.test(name)) && !/^(DATABASE_URL|DB_URL|JDBC_URL|ES_URL|SEARCH_URL)$/i.test(name)) return;
  for (const v of r.stack.resolve(node)) {
    if (v.k === 'absent' || ownValue(v)) {
      if (v.k !== 'absent') report.pass({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${name} points at the tenant's own ${targetResource(v)?.id ?? 'resource'}` });
      continue;
    }
    const ext = extOf(v);
    if (ext) {
      report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${name} takes the data-store location from ${ext.what}, which may be a shared store` });
    } else if (litString(v) !== undefined && litString(v)!.trim() !== '') {
      report.fail({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${name} points the workload at ${describe(v)}, a data store the tenant does not define` });
    }
  }
}

/** ISO-DATA-4: nothing provisions tenant partitions on, or points workloads at, data stores outside the tenant. */
export const noExternalDataEndpoints: IsolationRule = {
  id: 'ISO-DATA-4',
  title: 'No schema, index or workload points at a data store outside the tenant',
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'The schema-per-customer and index-per-customer fakes create the tenant\'s "database" as a custom resource that ' +
    'runs CREATE SCHEMA or PUT /<index> against the vendor\'s shared endpoint, and point the workload at that ' +
    'endpoint by hostname, connection string, SSM parameter or import. The tenant template then holds no store at all, ' +
    'or a decoy one nobody uses.',
  remediation:
    'Reference the tenant\'s own database and domain (Fn::GetAtt of the TenantDatabase instance and TenantSearch domain) instead of hostnames, parameters or imports.',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST SC-4', 'NIST AC-4'],
  checkTemplate(tenant, report) {
    // Literal ARNs of databases, domains, collections and caches, and EFS file systems, that the tenant does not define.
    for (const l of foreignClusterArns(tenant, ['rds', 'es', 'aoss', 'elasticache', 'docdb', 'kafka', 'memorydb'])) {
      report.fail({ stack: l.resource.stack.name, resource: l.resource.id, path: l.path, value: l.value, message: `${l.resource.id} names ${l.value}, a data store the tenant's templates do not define` });
    }
    for (const l of literalIdentifiers(tenant).filter((x) => x.kind === 'file-system')) {
      report.fail({ stack: l.resource.stack.name, resource: l.resource.id, path: l.path, value: l.value, message: `${l.resource.id} mounts or names the file system ${l.value}, which the tenant's templates do not define` });
    }
    // 1. Literal data-store locations anywhere in the properties (outermost string-valued functions and strings).
    for (const entry of propertyIndex(tenant)) {
      const { resource: r, node, fn } = entry;
      if (entry.insideFunction || !(typeof node === 'string' || (fn !== undefined && RESOLVABLE.has(fn)))) continue;
      // Most values cannot hold a location at all: skip resolving them.
      if (!mayHoldLocation(node, 0)) continue;
      for (const v of r.stack.resolve(node)) {
        if (ownValue(v)) continue;
        const text = literalText(v);
        if (text && looksLikeDataLocation(text)) {
          report.fail({ stack: r.stack.name, resource: r.id, path: entry.path, value: describe(v), message: `${r.id} names the data store ${describe(v)}, which the tenant's templates do not define` });
        }
      }
    }
    for (const r of tenant.resources()) {
      const s = r.stack;
      // 2. Environment variables that carry a database or search location.
      const environment = r.props.Environment;
      if (environment !== undefined) for (const vars of s.nodesAt(environment, ['Variables'])) {
        if (vars && typeof vars === 'object' && !Array.isArray(vars)) {
          for (const name in vars as Record<string, unknown>) {
            checkEnvironment(r, name, (vars as Record<string, unknown>)[name], `Properties.Environment.Variables.${name}`, report);
          }
        }
      }
      if (r.type === 'AWS::ECS::TaskDefinition') {
        s.elements(r.props.ContainerDefinitions).forEach((cd, i) => {
          const c = (cd ?? {}) as Record<string, unknown>;
          for (const env of s.elements(c.Environment)) {
            const e = (env ?? {}) as Record<string, unknown>;
            const name = litString(s.resolve(e.Name)[0] ?? { k: 'absent' });
            if (name) checkEnvironment(r, name, e.Value, `Properties.ContainerDefinitions[${i}].Environment.${name}`, report);
          }
        });
      }
      // 3. Custom resources that create a schema, database or index for the tenant.
      if (isCustomResource(r)) {
        const keys = Object.keys(r.props);
        const partitionKeys = keys.filter((k) => PARTITION_KEY.test(k));
        if (partitionKeys.length === 0) continue;
        const locationKeys = keys.filter((k) => k !== 'ServiceToken' && LOCATION_KEY.test(k));
        let external = false;
        for (const k of locationKeys) {
          for (const v of s.resolve(r.props[k])) {
            if (v.k === 'absent' || ownValue(v)) continue;
            external = true;
            const ext = extOf(v);
            const msg = `${r.id} creates ${partitionKeys.join('/')} on ${describe(v)}, ${ext ? 'which the verifier cannot follow to a store of the tenant' : 'a store the tenant does not define'}: a logical partition of a shared store`;
            if (ext) report.unverifiable({ stack: r.stack.name, resource: r.id, path: `Properties.${k}`, value: describe(v), message: msg });
            else report.fail({ stack: r.stack.name, resource: r.id, path: `Properties.${k}`, value: describe(v), message: msg });
          }
        }
        const tokens = s.resolve(r.props.ServiceToken);
        const foreignProvider = tokens.find((v) => !ownValue(v));
        if (foreignProvider) {
          external = true;
          report.fail({
            stack: r.stack.name, resource: r.id,
            path: 'Properties.ServiceToken',
            value: describe(foreignProvider),
            message: `${r.id} has a provider outside the tenant (${describe(foreignProvider)}) create ${partitionKeys.join('/')} for it: the store it writes to is not the tenant's`,
          });
        }
        if (!external) {
          report.pass({ stack: r.stack.name, resource: r.id, path: 'Properties', message: `${r.id} provisions ${partitionKeys.join('/')} on the tenant's own resources` });
        }
      }
    }
  },
};
