/**
 * A loopback AWS endpoint (127.0.0.1, an ephemeral port) speaking the wire protocols the live verifier's SDK clients
 * use, so tests run the real SDK serializers, signers, deserializers, paginators and retry strategies end to end:
 *
 * - EC2 query (`ec2` protocol): form-encoded `Action=...` POST, XML answer with `<item>` lists and a `requestId`;
 *   errors `<Response><Errors><Error><Code>`.
 * - RDS and STS query (`awsQuery`): the same request form, XML answer wrapped in `<ActionResult>` and
 *   `<ResponseMetadata>`; errors `<ErrorResponse><Error><Type/><Code/>`.
 * - CloudFormation and IAM query (`awsQuery`), as RDS, for preflight.
 * - KMS, CloudWatch Logs, Service Quotas and CloudHSM v2 (`awsJson1_1`): POST `/` with `X-Amz-Target: <Service>.<Action>`; errors
 *   `{"__type": code, "message"}`.
 * - OpenSearch and RAM (`restJson1`): the operation is the method and path; errors name their type in the
 *   `x-amzn-errortype` header.
 *
 * The service is taken from the SigV4 credential scope of the `Authorization` header, as AWS's own front ends route a
 * request that reaches a shared endpoint (`AWS_ENDPOINT_URL`). The account itself is data: handlers keyed by IAM
 * action (`ec2:DescribeVpcs`) return the wire-shaped answer. Faults are injected per action: a denial (the service's
 * own error code for it) or throttles before success. Error codes: EC2 "Error codes for the Amazon EC2 API"
 * (UnauthorizedOperation, RequestLimitExceeded; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * the others the "Common Errors" of their API references (AccessDeniedException, ThrottlingException: HTTP 400;
 * ServiceUnavailable: HTTP 503; e.g. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLBuilder } from 'fast-xml-parser';

type Protocol = 'ec2' | 'query' | 'json' | 'rest-json';

/** A call as the server decoded it. */
export interface Call {
  /** The IAM action, e.g. `rds:DescribeDBInstances`. */
  readonly action: string;
  /** Query parameters (query protocols: the form; REST: the URL query), or the JSON body. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The region of the SigV4 credential scope. */
  readonly region: string;
}

/** A service error to answer with (the handler throws it, or a fault injects it). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Answers one action: the wire-shaped result (XML element tree for query protocols, JSON for the rest). */
export type Handler = (call: Call) => Record<string, unknown>;

const SERVICES: Readonly<Record<string, { protocol: Protocol; xmlns?: string }>> = {
  ec2: { protocol: 'ec2', xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' },
  rds: { protocol: 'query', xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/' },
  sts: { protocol: 'query', xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  elasticloadbalancing: { protocol: 'query', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  cloudformation: { protocol: 'query', xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/' },
  iam: { protocol: 'query', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' },
  kms: { protocol: 'json' },
  logs: { protocol: 'json' },
  servicequotas: { protocol: 'json' },
  cloudhsm: { protocol: 'json' },
  es: { protocol: 'rest-json' },
  ram: { protocol: 'rest-json' },
};

/** REST operations: method, path pattern and action. */
const ROUTES: readonly { service: string; method: string; path: RegExp; action: string }[] = [
  { service: 'es', method: 'GET', path: /^\/2021-01-01\/domain$/, action: 'ListDomainNames' },
  { service: 'es', method: 'POST', path: /^\/2021-01-01\/opensearch\/domain-info$/, action: 'DescribeDomains' },
  { service: 'es', method: 'GET', path: /^\/2021-01-01\/tags\/?$/, action: 'ListTags' },
  { service: 'es', method: 'POST', path: /^\/2021-01-01\/opensearch\/cc\/outboundConnection\/search$/, action: 'DescribeOutboundConnections' },
  { service: 'es', method: 'POST', path: /^\/2021-01-01\/opensearch\/cc\/inboundConnection\/search$/, action: 'DescribeInboundConnections' },
  { service: 'es', method: 'GET', path: /^\/2021-01-01\/opensearch\/instanceTypeDetails\/[^/]+$/, action: 'ListInstanceTypeDetails' },
  { service: 'ram', method: 'POST', path: /^\/getresourceshares$/, action: 'GetResourceShares' },
  { service: 'ram', method: 'POST', path: /^\/listresources$/, action: 'ListResources' },
];

/** The service's own error code for a denial and for a throttle. */
function deniedError(service: string, action: string): AwsError {
  const message = `User: arn:aws:sts::111111111111:assumed-role/ExclusiveDeskAuditor/audit is not authorized to perform: ${action}`;
  if (service === 'ec2') return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, 403);
  return new AwsError('AccessDeniedException', message, SERVICES[service]?.protocol === 'rest-json' ? 403 : 400);
}

function throttleError(service: string, kind: 'throttle' | 'unavailable'): AwsError {
  if (kind === 'unavailable') return new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
  if (service === 'ec2') return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
  return new AwsError('ThrottlingException', 'Rate exceeded', 400);
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

export interface FakeAws {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every call received, in order. */
  readonly calls: Call[];
  /** Requests no route matched (must stay empty). */
  readonly unknown: string[];
  /** Answers `action` with the service's AccessDenied error from now on. */
  deny(action: string): void;
  /** Answers `action` with `times` throttles (or 503s) before its real answer. */
  throttle(action: string, times: number, kind?: 'throttle' | 'unavailable'): void;
  /** Forgets calls and faults (between tests). */
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the endpoint on 127.0.0.1 with the given handlers (keyed by IAM action). */
export async function startFakeAws(handlers: Readonly<Record<string, Handler>>): Promise<FakeAws> {
  const calls: Call[] = [];
  const unknown: string[] = [];
  const denied = new Set<string>();
  const throttles = new Map<string, { left: number; kind: 'throttle' | 'unavailable' }>();
  let requestId = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
      const service = scope?.[2] ?? '';
      const region = scope?.[1] ?? '';
      const protocol = SERVICES[service]?.protocol;
      const id = `req-${++requestId}`;

      let name: string | undefined;
      let params: Record<string, unknown> = {};
      if (protocol === 'ec2' || protocol === 'query') {
        params = Object.fromEntries(new URLSearchParams(body));
        name = typeof params.Action === 'string' ? params.Action : undefined;
      } else if (protocol === 'json') {
        name = String(req.headers['x-amz-target'] ?? '').split('.')[1];
        params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } else if (protocol === 'rest-json') {
        name = ROUTES.find((r) => r.service === service && r.method === req.method && r.path.test(url.pathname))?.action;
        params = { ...Object.fromEntries(url.searchParams), ...(body ? (JSON.parse(body) as Record<string, unknown>) : {}) };
      }
      const action = `${service}:${name ?? '?'}`;
      const handler = name ? handlers[action] : undefined;
      if (!protocol || !handler) {
        unknown.push(`${req.method} ${req.url} ${action}`);
        return send(res, protocol ?? 'json', service, name ?? 'Unknown', id, new AwsError('UnknownOperationException', `no handler for ${action}`, 404));
      }
      const call: Call = { action, params, method: req.method ?? '', path: url.pathname, headers: req.headers, region };
      calls.push(call);
      const throttle = throttles.get(action);
      if (throttle && throttle.left > 0) {
        throttle.left--;
        return send(res, protocol, service, name!, id, throttleError(service, throttle.kind));
      }
      if (denied.has(action)) return send(res, protocol, service, name!, id, deniedError(service, action));
      try {
        return send(res, protocol, service, name!, id, handler(call));
      } catch (e) {
        return send(res, protocol, service, name!, id, e instanceof AwsError ? e : new AwsError('InternalFailure', String(e), 500));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    unknown,
    deny: (action) => void denied.add(action),
    throttle: (action, times, kind = 'throttle') => void throttles.set(action, { left: times, kind }),
    reset: () => {
      calls.length = 0;
      unknown.length = 0;
      denied.clear();
      throttles.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function send(res: http.ServerResponse, protocol: Protocol, service: string, name: string, id: string, result: Record<string, unknown> | AwsError): void {
  const xmlns = SERVICES[service]?.xmlns;
  let status = 200;
  let type = 'application/json';
  let text: string;
  const headers: Record<string, string> = { 'x-amzn-requestid': id };
  if (result instanceof AwsError) {
    status = result.status;
    if (protocol === 'ec2') {
      type = 'text/xml;charset=UTF-8';
      text = xml.build({ Response: { Errors: { Error: { Code: result.code, Message: result.message } }, RequestID: id } });
    } else if (protocol === 'query') {
      type = 'text/xml';
      text = xml.build({ ErrorResponse: { '@_xmlns': xmlns, Error: { Type: 'Sender', Code: result.code, Message: result.message }, RequestId: id } });
    } else if (protocol === 'json') {
      type = 'application/x-amz-json-1.1';
      text = JSON.stringify({ __type: result.code, message: result.message });
    } else {
      headers['x-amzn-errortype'] = result.code;
      text = JSON.stringify({ message: result.message });
    }
  } else if (protocol === 'ec2') {
    type = 'text/xml;charset=UTF-8';
    text = xml.build({ [`${name}Response`]: { '@_xmlns': xmlns, requestId: id, ...result } });
  } else if (protocol === 'query') {
    type = 'text/xml';
    text = xml.build({ [`${name}Response`]: { '@_xmlns': xmlns, [`${name}Result`]: result, ResponseMetadata: { RequestId: id } } });
  } else {
    type = protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json';
    text = JSON.stringify(result);
  }
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** One page of `items` after `token` (an index), and the token of the next page if any. */
export function page<T>(items: readonly T[], token: unknown, size: number): { items: T[]; next?: string } {
  const start = typeof token === 'string' && token ? Number(token.replace(/^page-/, '')) : 0;
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? `page-${end}` : undefined };
}

/**
 * Points the SDK's default chains at the environment only: static fake credentials, no profile, no metadata service
 * (and every other AWS_ variable removed), plus `extra` (e.g. AWS_ENDPOINT_URL). Tests restore process.env after.
 */
export function isolateSdkEnvironment(extra: Readonly<Record<string, string>> = {}): void {
  for (const k of Object.keys(process.env)) if (/^AWS_/.test(k)) delete process.env[k];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_CONFIG_FILE: '/nonexistent/exclusive-desk/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/exclusive-desk/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
}
