/**
 * The in-domain configuration of a tenant's OpenSearch domain: the index template the desk's ticket indices use,
 * slow-log thresholds and the audit-log configuration. CloudFormation cannot set any of them (they live inside the
 * cluster, behind fine-grained access control), so they are applied after the deploy by the post-deploy step of
 * docs/operations.md (ADR 0011). Pure data: no I/O, no constructs.
 *
 * Sources (OpenSearch Service Developer Guide):
 * - slow logs publish nothing until an index sets thresholds: "Enabling slow logs"
 *   (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createdomain-configure-slow-logs.html);
 * - audit logs need the security plugin's audit configuration besides log publishing: "Monitoring audit logs"
 *   (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/audit-logs.html).
 */
import type { SearchSizing } from './sizing';

/** The indices the desk writes tickets to; the template applies to every one of them. */
export const DESK_INDEX_PATTERN = 'desk-tickets*';

/** Slow-log thresholds: a ticket search longer than a second is worth a look, five seconds is a problem. */
export const SLOW_LOG_THRESHOLDS: Readonly<Record<string, string>> = {
  'index.search.slowlog.threshold.query.warn': '5s',
  'index.search.slowlog.threshold.query.info': '2s',
  'index.search.slowlog.threshold.query.debug': '1s',
  'index.search.slowlog.threshold.fetch.warn': '1s',
  'index.search.slowlog.threshold.fetch.info': '500ms',
  'index.indexing.slowlog.threshold.index.warn': '10s',
  'index.indexing.slowlog.threshold.index.info': '5s',
  'index.indexing.slowlog.threshold.index.debug': '2s',
  'index.indexing.slowlog.source': '255',
};

/** A composable index template (`PUT _index_template/exclusive-desk-tickets`). */
export function deskIndexTemplate(sizing: Pick<SearchSizing, 'primaryShards' | 'replicas'>): Record<string, unknown> {
  if (!Number.isInteger(sizing.primaryShards) || sizing.primaryShards < 1) {
    throw new Error(`primaryShards must be a whole number of at least 1, got ${sizing.primaryShards}`);
  }
  if (!Number.isInteger(sizing.replicas) || sizing.replicas < 0) {
    throw new Error(`replicas must be a whole number of 0 or more, got ${sizing.replicas}`);
  }
  return {
    index_patterns: [DESK_INDEX_PATTERN],
    priority: 100,
    template: {
      settings: {
        'index.number_of_shards': sizing.primaryShards,
        'index.number_of_replicas': sizing.replicas,
        ...SLOW_LOG_THRESHOLDS,
      },
    },
    _meta: { managed_by: 'exclusive-desk', source: 'lib/search-config.ts' },
  };
}

/**
 * The security plugin's audit configuration (`PUT _plugins/_security/api/audit/config`): REST and transport
 * events without the noisy GRANTED_PRIVILEGES and AUTHENTICATED categories, and compliance logging of writes to
 * the security configuration (role and mapping changes), which regulated regimes' auditors ask for.
 */
export function auditLogConfig(): Record<string, unknown> {
  return {
    enabled: true,
    audit: {
      enable_rest: true,
      disabled_rest_categories: ['GRANTED_PRIVILEGES', 'AUTHENTICATED'],
      enable_transport: true,
      disabled_transport_categories: ['GRANTED_PRIVILEGES', 'AUTHENTICATED'],
      resolve_bulk_requests: false,
      log_request_body: false,
      resolve_indices: true,
      exclude_sensitive_headers: true,
      ignore_users: [],
      ignore_requests: [],
    },
    compliance: {
      enabled: true,
      internal_config: true,
      external_config: false,
      read_metadata_only: true,
      read_watched_fields: {},
      read_ignore_users: [],
      write_metadata_only: true,
      write_log_diffs: false,
      write_watched_indices: [],
      write_ignore_users: [],
    },
  };
}

/** One request of the post-deploy step, against the domain endpoint, signed as the domain's master user role. */
export interface SearchConfigRequest {
  readonly method: 'PUT';
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** The requests of the post-deploy step, in order. Idempotent: each PUT replaces the previous configuration. */
export function searchConfigRequests(sizing: Pick<SearchSizing, 'primaryShards' | 'replicas'>): SearchConfigRequest[] {
  return [
    { method: 'PUT', path: '/_index_template/exclusive-desk-tickets', body: deskIndexTemplate(sizing) },
    { method: 'PUT', path: '/_plugins/_security/api/audit/config', body: auditLogConfig() },
  ];
}

/** What the post-deploy step needs to know about one tenant. */
export interface SearchConfigTarget {
  readonly tenantId: string;
  readonly region: string;
  readonly sizing: Pick<SearchSizing, 'primaryShards' | 'replicas'>;
}

/** The files the post-deploy step sends (file name, JSON body), in order, with the request each one is for. */
export function searchConfigFiles(target: SearchConfigTarget): { file: string; request: SearchConfigRequest }[] {
  const names = ['index-template.json', 'audit-config.json'];
  return searchConfigRequests(target.sizing).map((request, i) => ({ file: names[i]!, request }));
}

/**
 * The shell commands of the post-deploy step: signed PUTs with curl's `--aws-sigv4` (curl 7.75 or later) for
 * service `es`, with the temporary credentials of the domain's MasterUserRole in the environment and the domain's
 * VPC endpoint in `ENDPOINT`. Run from a host inside the tenant's search VPC.
 */
export function searchConfigCommands(target: SearchConfigTarget): string[] {
  return searchConfigFiles(target).map(
    ({ file, request }) =>
      `curl --fail-with-body --aws-sigv4 "aws:amz:${target.region}:es" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ` +
      `-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H "Content-Type: application/json" ` +
      `-X ${request.method} "https://$ENDPOINT${request.path}" --data @${file}`,
  );
}
