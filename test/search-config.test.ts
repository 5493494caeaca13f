import {
  DESK_INDEX_PATTERN,
  SLOW_LOG_THRESHOLDS,
  auditLogConfig,
  deskIndexTemplate,
  searchConfigCommands,
  searchConfigFiles,
  searchConfigRequests,
} from '../lib/search-config';
import { searchSizing } from '../lib/sizing';

describe('the desk index template', () => {
  test('takes shards and replicas from the search sizing: fedline-gov (40 000 tickets) gets 35 shards, 2 replicas', () => {
    const t = deskIndexTemplate(searchSizing({ ticketsPerDay: 40_000 }));
    expect(t).toMatchObject({
      index_patterns: [DESK_INDEX_PATTERN],
      template: { settings: { 'index.number_of_shards': 35, 'index.number_of_replicas': 2 } },
    });
  });

  test('sets slow-log thresholds, without which the published slow logs stay empty', () => {
    const settings = (deskIndexTemplate({ primaryShards: 1, replicas: 2 }).template as { settings: Record<string, unknown> }).settings;
    expect(settings).toMatchObject({
      'index.search.slowlog.threshold.query.warn': '5s',
      'index.indexing.slowlog.threshold.index.warn': '10s',
    });
    expect(Object.keys(SLOW_LOG_THRESHOLDS).every((k) => k in settings)).toBe(true);
  });

  test.each([
    [{ primaryShards: 0, replicas: 2 }, 'primaryShards must be a whole number of at least 1, got 0'],
    [{ primaryShards: 1, replicas: -1 }, 'replicas must be a whole number of 0 or more, got -1'],
  ])('throws for %j', (input, message) => {
    expect(() => deskIndexTemplate(input)).toThrow(message);
  });
});

test('the audit configuration logs REST and transport events and security-configuration writes', () => {
  expect(auditLogConfig()).toMatchObject({
    enabled: true,
    audit: { enable_rest: true, enable_transport: true, exclude_sensitive_headers: true },
    compliance: { enabled: true, internal_config: true },
  });
});

test('the post-deploy step is two idempotent PUTs: the index template, then the audit configuration', () => {
  expect(searchConfigRequests({ primaryShards: 4, replicas: 2 }).map((r) => `${r.method} ${r.path}`)).toEqual([
    'PUT /_index_template/exclusive-desk-tickets',
    'PUT /_plugins/_security/api/audit/config',
  ]);
});

describe('the runnable step', () => {
  const target = { tenantId: 'fedline-gov', region: 'us-gov-west-1', sizing: { primaryShards: 35, replicas: 2 } };

  test('writes one file per request, in order', () => {
    expect(searchConfigFiles(target).map((f) => [f.file, f.request.path])).toEqual([
      ['index-template.json', '/_index_template/exclusive-desk-tickets'],
      ['audit-config.json', '/_plugins/_security/api/audit/config'],
    ]);
  });

  test('signs each PUT for service es in the tenant region with the master role session', () => {
    const [template, audit] = searchConfigCommands(target);
    expect(template).toBe(
      'curl --fail-with-body --aws-sigv4 "aws:amz:us-gov-west-1:es" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ' +
        '-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H "Content-Type: application/json" ' +
        '-X PUT "https://$ENDPOINT/_index_template/exclusive-desk-tickets" --data @index-template.json',
    );
    expect(audit).toContain('-X PUT "https://$ENDPOINT/_plugins/_security/api/audit/config" --data @audit-config.json');
  });
});
