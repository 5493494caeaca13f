/**
 * The SDK's configured endpoints for a client generation that predates them.
 *
 * AWS SDKs read a user's endpoint from `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `services`
 * section of the shared config file (`[services <name>]` with a `<service key> =` subsection holding `endpoint_url`) or
 * the profile's own `endpoint_url`, in that order, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls` is true;
 * an endpoint passed to the client constructor always wins. AWS SDKs and Tools Reference Guide, "Service-specific
 * endpoints" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html) and "Identifiers for
 * service-specific endpoints" (https://docs.aws.amazon.com/sdkref/latest/guide/ss-endpoints-table.html).
 *
 * Every current client does this itself. The CloudHSM v2 client on the registry (3.332.0) is older and reads none of
 * it, so a user's endpoint would silently be bypassed for that one service. Nothing is re-implemented here: the
 * current SDK's own resolver (`resolveEndpointConfig` of `@smithy/core/endpoints`, the code every current client
 * runs) is asked for the client's `serviceId`, and its answer is installed the way the current endpoint middleware
 * installs it (the client's `endpoint`, marked custom), before the first request is built.
 */
import { resolveEndpointConfig, toEndpointV1 } from '@smithy/core/endpoints';

/** The parts of an SDK v3 client this needs (any generation). */
export interface ConfigurableClient {
  readonly config: object;
  readonly middlewareStack: object;
}

/** The one middleware-stack call made here (its typings differ between client generations). */
interface InitializeStack {
  add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: { step: 'initialize'; name: string; priority: 'high' }): void;
}

interface LegacyEndpointConfig {
  serviceId?: string;
  isCustomEndpoint?: boolean;
  endpoint?: unknown;
  serviceConfiguredEndpoint?: unknown;
}

const MIDDLEWARE = 'exclusiveDeskConfiguredEndpointUrl';

/**
 * Makes a client honour the SDK's configured endpoints if its generation does not already: a no-op for current
 * clients (they resolve it themselves) and for a client given an explicit endpoint.
 */
export function withConfiguredEndpoint<C extends ConfigurableClient>(client: C): C {
  const config = client.config as LegacyEndpointConfig;
  if (typeof config.serviceConfiguredEndpoint === 'function' || config.isCustomEndpoint || !config.serviceId) return client;
  const resolved = resolveEndpointConfig({ serviceId: config.serviceId } as Parameters<typeof resolveEndpointConfig>[0]) as {
    serviceConfiguredEndpoint: () => Promise<string | undefined>;
  };
  (client.middlewareStack as InitializeStack).add(
    (next) => async (args) => {
      if (!config.isCustomEndpoint) {
        const url = await resolved.serviceConfiguredEndpoint();
        if (url) {
          const endpoint = toEndpointV1(url);
          config.endpoint = () => Promise.resolve(endpoint);
          config.isCustomEndpoint = true;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE, priority: 'high' },
  );
  return client;
}
