/**
 * Shapes shared by the HSM custom resources (the constructs that declare them) and their Lambda handlers. No SDK
 * import here: `constructs/tenant-hsm.ts` reads the resource types without pulling clients into the CDK app.
 */

/** CloudFormation resource types of the HSM custom resources; stable: they appear in every hsm template. */
export const HSM_RESOURCE_TYPES = {
  cluster: 'Custom::ExclusiveDeskHsmCluster',
  keyStore: 'Custom::ExclusiveDeskCustomKeyStore',
  key: 'Custom::ExclusiveDeskHsmKey',
} as const;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The request the Provider framework passes to `onEvent` (a CloudFormation custom resource request). */
export interface OnEventRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Readonly<Record<string, unknown>>;
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

export interface OnEventResponse {
  readonly PhysicalResourceId?: string;
  readonly Data?: Readonly<Record<string, unknown>>;
}

/** The request the Provider framework passes to `isComplete`: the onEvent request plus its response. */
export interface IsCompleteRequest extends OnEventRequest {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, unknown>>;
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Readonly<Record<string, unknown>>;
}

/** Reads a required string property of a custom resource, naming the property and the resource on failure. */
export function stringProp(props: Readonly<Record<string, unknown>> | undefined, name: string, resource: string): string {
  const value = props?.[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`${resource}: property ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads the optional `Tags` property ([{ Key, Value }]). */
export function tagsProp(props: Readonly<Record<string, unknown>> | undefined): Tag[] {
  const value = props?.Tags;
  if (value === undefined) return [];
  const isTag = (t: unknown): t is Tag =>
    typeof t === 'object' && t !== null && typeof (t as Tag).Key === 'string' && typeof (t as Tag).Value === 'string';
  if (!Array.isArray(value) || !value.every(isTag)) {
    throw new Error(`property Tags must be a list of { Key, Value } strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  const key = (tags: readonly Tag[]): string =>
    JSON.stringify([...tags].sort((x, y) => x.Key.localeCompare(y.Key)).map((t) => [t.Key, t.Value]));
  return key(a) === key(b);
}
