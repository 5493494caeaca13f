/**
 * Runs one read-only API operation for the inventory: through the concurrency limiter, with the deadline's abort
 * signal, recording the IAM action, and turning every error into a `CollectionError` (never a throw).
 */
import type { Collected, CollectionError } from '../isolation/inventory';
import type { Limiter } from './limit';

export interface AttemptContext {
  readonly limit: Limiter;
  /** The actions the collector may call: those of the rules that count at the target level. */
  readonly allowed: ReadonlySet<string>;
  /** Why nothing may be called any more (no credentials, wrong account), if so. */
  blocked?: CollectionError;
  /** Aborts calls in flight and stops new ones (the gate's deadline). */
  readonly signal?: AbortSignal;
  /** Every action called, in order of first use. */
  readonly actions: string[];
  /** The level, for the message of an action no counting rule declares. */
  readonly level: string;
}

/** Options every SDK call and paginator receives. */
export interface CallOptions {
  readonly abortSignal?: AbortSignal;
}

const DENIED = /AccessDenied|Unauthorized|NotAuthorized|Forbidden|AuthorizationError/i;

/** Classifies an SDK error as a collection error for `action`. */
export function collectionError(action: string, resource: string | undefined, e: unknown): CollectionError {
  const err = (e ?? {}) as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = [err.name, err.Code, err.code].find((c): c is string => typeof c === 'string' && c !== 'Error') ?? 'Error';
  const message = typeof err.message === 'string' && err.message ? err.message : String(e);
  if (DENIED.test(code) || err.$metadata?.httpStatusCode === 403) {
    return { action, resource, code, message, reason: 'denied' };
  }
  if (code === 'AbortError' || code === 'TimeoutError') {
    return { action, resource, code, message: 'the call was cut short by the verification deadline', reason: 'skipped' };
  }
  if (code === 'CredentialsProviderError') {
    return { action, resource, code, message: `no AWS credentials were found by the SDK's default chain (${message})`, reason: 'failed' };
  }
  return { action, resource, code, message, reason: 'failed' };
}

export function skipped(action: string, message: string, resource?: string, code = 'NotCollected'): CollectionError {
  return { action, resource, code, message, reason: 'skipped' };
}

export function failure<T>(error: CollectionError): Collected<T> {
  return { ok: false, error };
}

export function success<T>(value: T): Collected<T> {
  return { ok: true, value };
}

/** Calls `fn` unless the action is not allowed, collection is blocked or the deadline passed; never throws. */
export async function attempt<T>(
  ctx: AttemptContext,
  action: string,
  resource: string | undefined,
  fn: (options: CallOptions) => Promise<T>,
): Promise<Collected<T>> {
  if (!ctx.allowed.has(action)) {
    return failure(skipped(action, `not collected: no rule that counts at level ${ctx.level} declares ${action}`, resource));
  }
  if (ctx.blocked) return failure({ ...ctx.blocked, action, resource });
  return ctx.limit(async () => {
    if (ctx.signal?.aborted) return failure<T>(skipped(action, 'not called: the verification deadline passed', resource, 'Timeout'));
    if (!ctx.actions.includes(action)) ctx.actions.push(action);
    try {
      return success(await fn({ abortSignal: ctx.signal }));
    } catch (e) {
      return failure<T>(collectionError(action, resource, e));
    }
  });
}

/** Every item of every page of an SDK paginator. */
export async function allPages<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/** Runs `fn` over every element with the same limiter (each call limits itself), keeping order. */
export function each<A, B>(items: readonly A[], fn: (item: A) => Promise<B>): Promise<B[]> {
  return Promise.all(items.map(fn));
}

/** Splits a list into chunks (APIs that take at most n names per call). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
