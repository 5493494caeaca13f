/**
 * The gate's Lambda handler: CloudFormation Create/Update/Delete (Delete and rollbacks never block), the deadline,
 * the failure reason, the drift check's structured log and metric, and the response upload.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TenantInventory } from '../../lib/isolation/inventory';
import type { LiveTarget } from '../../lib/live/config';
import {
  handler,
  makeHandler,
  MAX_REASON_LENGTH,
  putResponse,
  type CustomResourceEvent,
  type CustomResourceResponse,
  type DriftCheckEvent,
  type HandlerDeps,
} from '../../lib/live/handler';
import { ERROR_FINDINGS_METRIC, METRIC_NAMESPACE } from '../../lib/live/metrics';
import { ACCOUNT, DB_ARN, REGION, SG_DB, TENANT, database, err, genuineInventory, ok } from './support';

const TARGET = { Tenant: TENANT, Account: ACCOUNT, Region: REGION, Level: 'hardware' };

function cfnEvent(type: CustomResourceEvent['RequestType'], over: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/presigned',
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/ExclusiveDesk-${TENANT}/guid`,
    RequestId: 'req-1',
    LogicalResourceId: 'LiveVerificationGate',
    ResourceType: 'Custom::LiveVerificationGate',
    ...(type === 'Create' ? {} : { PhysicalResourceId: `live-verification-gate-${TENANT}` }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:x', Target: TARGET },
    ...over,
  };
}

const context = (remainingMs = 300_000) => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now(), logGroupName: '/aws/lambda/gate', logStreamName: '2026/06/01/[$LATEST]abc' };
};

interface Recorder {
  deps: HandlerDeps;
  responses: CustomResourceResponse[];
  logs: Record<string, unknown>[];
  collected: LiveTarget[];
}

function recorder(collect: (target: LiveTarget, signal: AbortSignal) => Promise<TenantInventory>, over: Partial<HandlerDeps> = {}): Recorder {
  const r: Recorder = { responses: [], logs: [], collected: [], deps: undefined as never };
  r.deps = {
    collect: (t, s) => {
      r.collected.push(t);
      return collect(t, s);
    },
    respond: async (_url, response) => {
      r.responses.push(response);
    },
    stackStatus: async () => 'UPDATE_IN_PROGRESS',
    log: (line) => r.logs.push(line),
    now: () => 1_780_000_000_000,
    ...over,
  };
  return r;
}

const genuine = () => Promise.resolve(genuineInventory());
const publicDb = () => Promise.resolve(genuineInventory({ databases: ok([database({ publiclyAccessible: true })]) }));

describe('CloudFormation', () => {
  test('Create of a genuine tenant: SUCCESS with the achieved level', async () => {
    const r = recorder(genuine);
    const outcome = await makeHandler(r.deps)(cfnEvent('Create'), context());
    expect(outcome.verdict).toBe('pass');
    expect(r.collected).toEqual([{ tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hardware' }]);
    expect(r.responses).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: `live-verification-gate-${TENANT}`,
        RequestId: 'req-1',
        LogicalResourceId: 'LiveVerificationGate',
        Data: expect.objectContaining({ Achieved: 'hardware', Required: 'hardware', ErrorFindings: '0' }),
      }),
    ]);
  });

  test('Create of a tenant whose live state is not exclusive: FAILED with the findings in the reason', async () => {
    const r = recorder(publicDb);
    await makeHandler(r.deps)(cfnEvent('Create'), context());
    const [response] = r.responses;
    expect(response!.Status).toBe('FAILED');
    expect(response!.Reason).toMatch(/^live state of tenant acme-health is not exclusive at hardware \(achieved pooled; 1 error finding\):/);
    expect(response!.Reason).toContain(`[ISO-NET-6] ${DB_ARN} DescribeDBInstances.PubliclyAccessible: DB instance exclusive-desk-${TENANT} is publicly accessible`);
  });

  test.each([
    ['rds:DescribeDBParameters', { dbParameterGroups: err('rds:DescribeDBParameters') }, 'ISO-HYG-1'],
    ['ec2:DescribeFlowLogs', { flowLogs: err('ec2:DescribeFlowLogs', 'denied', 'UnauthorizedOperation') }, 'ISO-HYG-4'],
  ] as const)('Create with %s denied (read by a warning-severity rule): FAILED, the denial in the reason', async (action, part, rule) => {
    const r = recorder(() => Promise.resolve(genuineInventory(part)));
    await makeHandler(r.deps)(cfnEvent('Create'), context());
    const [response] = r.responses;
    expect(response!.Status).toBe('FAILED');
    expect(response!.Reason).toContain(`[${rule}]`);
    expect(response!.Reason).toContain(`${action} was denied`);
  });

  test('the reason is cut at a finding boundary below the response limit, pointing to the log', async () => {
    const open = Array.from({ length: 200 }, (_, i) => ({ id: `sg-0f00000000000${String(i).padStart(4, '0')}`, vpcId: 'vpc-x', ownerId: ACCOUNT, ingress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groups: [], prefixLists: [] }] }));
    const r = recorder(() => Promise.resolve(genuineInventory({ securityGroups: ok([...open, { id: SG_DB, vpcId: 'vpc-x', ingress: [] }]) })));
    await makeHandler(r.deps)(cfnEvent('Create'), context());
    const reason = r.responses[0]!.Reason!;
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(reason).toMatch(/\.\.\. and \d+ more; all findings in CloudWatch Logs \/aws\/lambda\/gate \(2026\/06\/01\/\[\$LATEST\]abc\)$/);
    expect(JSON.stringify(r.responses[0]).length).toBeLessThan(4096);
    // Every finding is in the structured log, not just those in the reason.
    expect(r.logs.filter((l) => l.type === 'finding' && l.rule === 'ISO-NET-5')).toHaveLength(200);
  });

  test('Update re-verifies and fails the same way', async () => {
    const r = recorder(publicDb);
    await makeHandler(r.deps)(cfnEvent('Update'), context());
    expect(r.responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `live-verification-gate-${TENANT}` });
  });

  test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])('the Update of a rollback (%s) never blocks', async (status) => {
    const r = recorder(publicDb, { stackStatus: async () => status });
    await makeHandler(r.deps)(cfnEvent('Update'), context());
    expect(r.collected).toEqual([]);
    expect(r.responses[0]).toMatchObject({ Status: 'SUCCESS', Reason: `the gate does not block a rollback (${status})` });
  });

  test('an unreadable stack status does not stop the gate (it verifies)', async () => {
    const r = recorder(publicDb, { stackStatus: () => Promise.reject(new Error('AccessDenied')) });
    await makeHandler(r.deps)(cfnEvent('Update'), context());
    expect(r.responses[0]!.Status).toBe('FAILED');
  });

  test('Delete never blocks: SUCCESS without verifying, keeping the physical id', async () => {
    const r = recorder(() => Promise.reject(new Error('must not be called')));
    await makeHandler(r.deps)(cfnEvent('Delete'), context(1_000));
    expect(r.collected).toEqual([]);
    expect(r.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `live-verification-gate-${TENANT}` })]);
  });

  test('a collection that never returns: FAILED before the Lambda times out', async () => {
    const r = recorder(() => new Promise<TenantInventory>(() => undefined), { reserveMs: 100, graceMs: 50 });
    const started = Date.now();
    await makeHandler(r.deps)(cfnEvent('Create'), context(400));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(400);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(r.responses[0]!.Status).toBe('FAILED');
    expect(r.responses[0]!.Reason).toMatch(/did not finish before the deadline: its isolation could not be verified \(details in CloudWatch Logs \/aws\/lambda\/gate/);
  });

  test('at the deadline the collection is aborted and what was read is judged (fail closed)', async () => {
    const collect = (_t: LiveTarget, signal: AbortSignal) =>
      new Promise<TenantInventory>((resolve) => {
        signal.addEventListener('abort', () =>
          resolve(genuineInventory({ vpcs: { ok: false, error: { action: 'ec2:DescribeVpcs', code: 'Timeout', reason: 'skipped', message: 'not called: the verification deadline passed' } } })),
        );
      });
    const r = recorder(collect, { reserveMs: 100, graceMs: 100 });
    await makeHandler(r.deps)(cfnEvent('Create'), context(400));
    expect(r.responses[0]!.Status).toBe('FAILED');
    expect(r.responses[0]!.Reason).toMatch(/ec2:DescribeVpcs not called: the verification deadline passed/);
    expect(r.responses[0]!.Data).toMatchObject({ TimedOut: 'true' });
  });

  test('an unexpected error fails closed', async () => {
    const r = recorder(() => Promise.reject(new Error('boom')));
    await makeHandler(r.deps)(cfnEvent('Create'), context());
    expect(r.responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('live verification failed: boom') });
  });

  test('properties without a target fail with a clear reason', async () => {
    const r = recorder(genuine);
    await makeHandler(r.deps)(cfnEvent('Create', { ResourceProperties: { Target: { Tenant: TENANT, Account: '12', Region: REGION, Level: 'hardware' } } }), context());
    expect(r.responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'live verification gate misconfigured: Account must be 12 digits, got "12"' });
  });
});

describe('the drift check (EventBridge schedule)', () => {
  const scheduled: DriftCheckEvent = { 'exclusive-desk': 'drift-check', Target: TARGET };

  test('logs every finding as structured JSON and publishes the error count as a per-tenant EMF metric', async () => {
    const r = recorder(publicDb);
    const outcome = await makeHandler(r.deps)(scheduled, context());
    expect(outcome).toMatchObject({ tenant: TENANT, verdict: 'fail', errors: 1 });
    expect(r.responses).toEqual([]);
    expect(r.logs).toContainEqual(expect.objectContaining({ type: 'finding', tenant: TENANT, rule: 'ISO-NET-6', severity: 'error', resource: DB_ARN, value: 'true' }));
    expect(r.logs).toContainEqual(expect.objectContaining({ type: 'summary', trigger: 'schedule', verdict: 'fail', errors: 1, achieved: 'pooled', required: 'hardware' }));
    const metric = r.logs.find((l) => l.type === 'metric')!;
    expect(metric).toEqual({
      _aws: {
        Timestamp: 1_780_000_000_000,
        CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Tenant']], Metrics: [{ Name: ERROR_FINDINGS_METRIC, Unit: 'Count' }, { Name: 'UnverifiableFindings', Unit: 'Count' }] }],
      },
      type: 'metric',
      Tenant: TENANT,
      ErrorFindings: 1,
      UnverifiableFindings: 0,
    });
    // Every line is one JSON object (CloudWatch Logs reads them as structured events).
    for (const l of r.logs) expect(JSON.parse(JSON.stringify(l))).toEqual(l);
  });

  test('a genuine tenant publishes zero', async () => {
    const r = recorder(genuine);
    await makeHandler(r.deps)(scheduled, context());
    expect(r.logs.find((l) => l.type === 'metric')).toMatchObject({ ErrorFindings: 0 });
  });

  test('a run that cannot finish counts as an error (the alarm fires)', async () => {
    const r = recorder(() => new Promise<TenantInventory>(() => undefined), { reserveMs: 100, graceMs: 50 });
    await makeHandler(r.deps)(scheduled, context(300));
    expect(r.logs.find((l) => l.type === 'metric')).toMatchObject({ ErrorFindings: 1, UnverifiableFindings: 1 });
  });
});

describe('the response upload', () => {
  let server: http.Server;
  let received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[];
  beforeEach(async () => {
    received = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=x`;

  test('PUTs the JSON response with an empty content type (as the pre-signed URL requires)', async () => {
    const response: CustomResourceResponse = { Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };
    await putResponse(url(), response);
    expect(received).toEqual([{ method: 'PUT', headers: expect.objectContaining({ 'content-type': '' }), body: JSON.stringify(response) }]);
  });

  test('the Lambda entry answers a Delete with SUCCESS through the real response path', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handler(cfnEvent('Delete', { ResponseURL: url() }), context(5_000));
    expect(JSON.parse(received[0]!.body)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `live-verification-gate-${TENANT}` });
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ type: 'response', request: 'Delete', status: 'SUCCESS' });
    log.mockRestore();
  });
});
