/**
 * The SDK's own machinery, not mocks of it: throttling retried by the client's retry strategy (a tiny delay set in
 * the client config keeps it fast), the adaptive default, and the standard endpoint settings honoured.
 * A stub HTTP handler plays the service; no network.
 */
import { Readable } from 'node:stream';
import { DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
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

  test('AWS_ENDPOINT_URL_CLOUDHSM_V2 reaches the older CloudHSM client too', async () => {
    const service = stubService([{ status: 200, body: { Clusters: [] } }]);
    const clients = createClients({ region: REGION, env: { AWS_ENDPOINT_URL_CLOUDHSM_V2: 'http://127.0.0.1:4567' }, extra: { credentials, requestHandler: service.handler } });
    await clients.cloudhsm.send(new DescribeClustersCommand({}));
    expect(service.requests[0]).toMatchObject({ hostname: '127.0.0.1', port: 4567 });
  });

  test('without any setting, the regional AWS endpoint', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    const service = stubService([described]);
    const clients = createClients({ region: REGION, env: {}, extra: { credentials, requestHandler: service.handler } });
    await clients.kms.send(new DescribeKeyCommand({ KeyId: KEY_ID.database }));
    expect(service.requests[0]!.hostname).toBe(`kms.${REGION}.amazonaws.com`);
  });
});
