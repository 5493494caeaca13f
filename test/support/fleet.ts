/**
 * Test support: synthesizes the example fleet (tenants/) once with a programmatic App, the same context as
 * cdk.json (a programmatic App reads neither cdk.json nor cdk.context.json), bundling skipped, and a fixed date.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type BuiltApp } from '../../lib/app';
import { loadManifests } from '../../lib/manifest/load';
import type { TenantManifest } from '../../lib/manifest/schema';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TENANTS_DIR = path.join(ROOT, 'tenants');
/** A fixed "today" so licence expiry never makes the suite time-dependent. */
export const TODAY = '2026-06-01';
export const EXAMPLE_TENANTS = ['acme-health', 'contoso-markets', 'fedline-gov', 'northwind-bank'] as const;
export type ExampleTenant = (typeof EXAMPLE_TENANTS)[number];

/** The context of cdk.json (feature flags), plus bundling skipped for every stack. */
export function appContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...extra };
}

export interface TestAppOptions {
  /** Run CloudFormation's built-in template validation (slow; the nag gate test turns it on). @default false */
  readonly builtinValidation?: boolean;
  readonly context?: Record<string, unknown>;
}

export function testApp(options: TestAppOptions = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-desk-test-'));
  return new App({
    outdir,
    context: appContext(options.context),
    builtinCloudFormationValidation: options.builtinValidation ?? false,
  });
}

/** A stack in a tenant-like environment, in an app without built-in template validation, for construct tests. */
export function testStack(env: { account: string; region: string } = { account: '123456789012', region: 'eu-west-1' }): Stack {
  return new Stack(testApp(), 'Test', { env });
}

export interface SynthesizedFleet {
  readonly app: App;
  readonly built: BuiltApp;
  readonly assembly: CloudAssembly;
  /** Templates by tenant id. */
  readonly templates: Readonly<Record<string, Template>>;
  /** Raw template JSON by tenant id. */
  readonly json: Readonly<Record<string, TemplateJson>>;
  readonly stacks: Readonly<Record<string, Stack>>;
}

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: unknown }>;
  Metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Builds and synthesizes the example fleet (or one tenant) once; the nag packs run as in `cdk synth`. */
export function synthFleet(options: TestAppOptions & { tenant?: string; tenantsDir?: string } = {}): SynthesizedFleet {
  const app = testApp(options);
  const built = buildApp(app, { tenantsDir: options.tenantsDir ?? TENANTS_DIR, tenant: options.tenant, today: TODAY });
  const assembly = app.synth();
  const templates: Record<string, Template> = {};
  const json: Record<string, TemplateJson> = {};
  const stacks: Record<string, Stack> = {};
  for (const stack of built.stacks) {
    const template = assembly.getStackByName(stack.stackName).template as TemplateJson;
    json[stack.manifest.id] = template;
    templates[stack.manifest.id] = Template.fromJSON(template);
    stacks[stack.manifest.id] = stack;
  }
  return { app, built, assembly, templates, json, stacks };
}

/** Logical ids of the resources of a type in a template. */
export function logicalIdsOfType(template: TemplateJson, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id)
    .sort();
}

/** The synthesized templates and manifests of the example fleet, for tests that only read templates. */
export interface FleetTemplates {
  readonly templates: Readonly<Record<string, Template>>;
  readonly json: Readonly<Record<string, TemplateJson>>;
  readonly built: { readonly manifests: readonly TenantManifest[] };
}

/** Where the Jest global setup wrote the example fleet's synthesized templates (see global-setup.ts). */
export const FLEET_CACHE_ENV = 'EXCLUSIVE_DESK_TEST_FLEET';

export interface FleetCacheFile {
  readonly json: Record<string, TemplateJson>;
}

/**
 * The example fleet's templates, synthesized once per test run by the global setup (the same `synthFleet()`,
 * nag packs and isolation plugin included); falls back to synthesizing here when run without it.
 */
export function fleetTemplates(): FleetTemplates {
  const manifests = loadManifests(TENANTS_DIR, { today: TODAY });
  const file = process.env[FLEET_CACHE_ENV];
  let json: Record<string, TemplateJson>;
  if (file && fs.existsSync(file)) json = (JSON.parse(fs.readFileSync(file, 'utf8')) as FleetCacheFile).json;
  else json = { ...synthFleet().json };
  const templates = Object.fromEntries(Object.entries(json).map(([id, t]) => [id, Template.fromJSON(t)]));
  return { templates, json, built: { manifests } };
}

/**
 * Runs bin/app.ts as the CDK CLI does: a child process, context in CDK_CONTEXT_JSON, output in CDK_OUTDIR, no AWS
 * credentials in its environment. Returns the process result and the files it wrote.
 */
export function runCdkApp(context: Record<string, unknown>, options: { timeoutMs?: number } = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(appContext({ today: TODAY, ...context })),
      CDK_VALIDATION: 'false',
    },
    timeout: options.timeoutMs ?? 60_000,
  });
  return { ...result, outdir, written: fs.readdirSync(outdir) };
}
