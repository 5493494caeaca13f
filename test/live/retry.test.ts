/**
 * The SDK's own machinery, not mocks of it: throttling retried by the client's retry strategy (a tiny delay set in
 * the client config keeps it fast), the adaptive default, and the standard endpoint settings honoured.
 * A stub HTTP handler plays the service; no network.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { attempt } from '../../lib/live/attempt';
import { createClients, DEFAULT_MAX_ATTEMPTS, retrySettings } from '../../lib/live/clients';
import { limiter } from '../../lib/live/limit';
import { KEY_ID, REGION, keyArn } from './support';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A request handler answering with `responses` in turn (the last one repeats), recording every request. */
function stubService(responses: readonly { status: number; body: unknown }[]) {
  const requests: HttpRequest[] = [];
  return {
    requests,
    handler: {
      handle: async (request: HttpRequest) => {
        requests.push(request);
        const r = responses[Math.min(requests.length - 1, responses.length - 1)]!;
        return {
          response: new HttpResponse({
            statusCode: r.status,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(JSON.stringify(r.body))]),
          }),
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  };
}

const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
const described = { status: 200, body: { KeyMetadata: { KeyId: KEY_ID.database, Arn: keyArn(KEY_ID.database), KeyManager: 'CUSTOMER', KeyState: 'Enabled' } } };

const ctx = () => ({ limit: limiter(2), allowed: new Set(['kms:DescribeKey']), actions: [] as string[], level: 'hardware' });

test('throttling followed by success: the client retries with its own strategy and the call succeeds', async () => {
  const service = stubService([throttled, throttled, described]);
  const clients = createClients({
    region: REGION,
    env: {},
    extra: { credentials, requestHandler: service.handler, retryStrategy: new ConfiguredRetryStrategy(4, () => 1) },
  });
  const started = Date.now();
  const result = await attempt(ctx(), 'kms:DescribeKey', keyArn(KEY_ID.database), (o) => clients.kms.send(new DescribeKeyCommand({ KeyId: KEY_ID.database }), o));
  expect(result).toMatchObject({ ok: true, value: { KeyMetadata: { KeyState: 'Enabled' } } });
  expect(service.requests).toHaveLength(3);
  expect(service.requests[2]!.headers['amz-sdk-request']).toMatch(/attempt=3/);
  expect(Date.now() - started).toBeLessThan(2000);
});

test('throttling that outlasts the attempts is a failed collection naming the action, not a throw', async () => {
  const service = stubService([throttled]);
  const clients = createClients({ region: REGION, env: {}, extra: { credentials, requestHandler: service.handler, retryStrategy: new ConfiguredRetryStrategy(3, () => 1) } });
  const result = await attempt(ctx(), 'kms:DescribeKey', 'k', (o) => clients.kms.send(new DescribeKeyCommand({ KeyId: 'k' }), o));
  expect(result).toMatchObject({ ok: false, error: { action: 'kms:DescribeKey', code: 'ThrottlingException', reason: 'failed', message: 'Rate exceeded' } });
  expect(service.requests).toHaveLength(3);
});

test('the default is the SDK adaptive retry mode, unless the environment chooses its own', async () => {
  expect(retrySettings({})).toEqual({ maxAttempts: DEFAULT_MAX_ATTEMPTS, retryMode: 'adaptive' });
  expect(retrySettings({ AWS_MAX_ATTEMPTS: '3' })).toEqual({});
  expect(retrySettings({ AWS_RETRY_MODE: 'standard' })).toEqual({});
  const clients = createClients({ region: REGION, env: {} });
  await expect(clients.kms.config.maxAttempts()).resolves.toBe(DEFAULT_MAX_ATTEMPTS);
  const strategy = await (clients.kms.config.retryStrategy as () => Promise<object>)();
  expect(strategy.constructor.name).toBe('AdaptiveRetryStrategy');
});

describe('standard endpoint settings', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const k of Object.keys(process.env)) if (/^AWS_(ENDPOINT_URL|IGNORE_CONFIGURED|PROFILE|CONFIG_FILE|SHARED_CREDENTIALS_FILE)/.test(k)) delete process.env[k];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('AWS_ENDPOINT_URL is honoured by the SDK (nothing overrides it)', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    const service = stubService([described]);
    const clients = createClients({ region: REGION, env: process.env, extra: { credentials, requestHandler: service.handler } });
    await clients.kms.send(new DescribeKeyCommand({ KeyId: KEY_ID.database }));
    expect(service.requests[0]).toMatchObject({ hostname: 'localhost', port: 4566, protocol: 'http:' });
  });

  /** Where a DescribeClusters call of the live verifier's CloudHSM client (the registry's older generation) goes. */
  async function cloudhsmTarget(extra: Record<string, unknown> = {}) {
    const service = stubService([{ status: 200, body: { Clusters: [] } }]);
    const clients = createClients({ region: REGION, env: process.env, extra: { credentials, requestHandler: service.handler, ...extra } });
    await clients.cloudhsm.send(new DescribeClustersCommand({}));
    const r = service.requests[0]!;
    return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}`;
  }

  /** A shared config file of its own (the SDK caches files by path), selected with AWS_CONFIG_FILE and AWS_PROFILE. */
  function sharedConfig(text: string): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-desk-config-'));
    process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    fs.writeFileSync(process.env.AWS_CONFIG_FILE, text);
    process.env.AWS_PROFILE = 'audit';
  }

  test.each([
    ['AWS_ENDPOINT_URL_CLOUDHSM_V2', { AWS_ENDPOINT_URL_CLOUDHSM_V2: 'http://127.0.0.1:4567', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, 'http://127.0.0.1:4567/'],
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4568' }, 'http://127.0.0.1:4568/'],
  ])('the older CloudHSM client honours %s (the per-service variable wins over the global one)', async (_name, env, expected) => {
    Object.assign(process.env, env);
    await expect(cloudhsmTarget()).resolves.toBe(expected);
  });

  test("the older CloudHSM client honours a profile's endpoint_url and its services section", async () => {
    sharedConfig('[profile audit]\nendpoint_url = http://127.0.0.1:4569\n');
    await expect(cloudhsmTarget()).resolves.toBe('http://127.0.0.1:4569/');
    sharedConfig(
      '[profile audit]\nendpoint_url = http://127.0.0.1:4569\nservices = local\n\n[services local]\ncloudhsm_v2 =\n  endpoint_url = http://127.0.0.1:4570\n',
    );
    await expect(cloudhsmTarget()).resolves.toBe('http://127.0.0.1:4570/');
  });

  test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them off, and an explicit endpoint always wins', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4571';
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    await expect(cloudhsmTarget()).resolves.toBe(`https://cloudhsmv2.${REGION}.amazonaws.com/`);
    delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
    await expect(cloudhsmTarget({ endpoint: 'http://127.0.0.1:4572' })).resolves.toBe('http://127.0.0.1:4572/');
  });

  test("CloudWatch Logs and every other client take the SDK's per-service variable", async () => {
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = 'http://127.0.0.1:4573';
    const service = stubService([{ status: 200, body: { logGroups: [] } }]);
    const clients = createClients({ region: REGION, env: process.env, extra: { credentials, requestHandler: service.handler } });
    await clients.logs.send(new DescribeLogGroupsCommand({}));
    expect(service.requests[0]).toMatchObject({ hostname: '127.0.0.1', port: 4573 });
  });

  test('without any setting, the regional AWS endpoint', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    const service = stubService([described]);
    const clients = createClients({ region: REGION, env: {}, extra: { credentials, requestHandler: service.handler } });
    await clients.kms.send(new DescribeKeyCommand({ KeyId: KEY_ID.database }));
    expect(service.requests[0]!.hostname).toBe(`kms.${REGION}.amazonaws.com`);
  });
});
