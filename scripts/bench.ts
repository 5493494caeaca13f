/**
 * `npm run bench [-- options]`: the fleet-scale benchmark. Prints one table, every figure measured in this run.
 *
 *   1. `npx cdk synth -c tenant=<id>` with a fleet of 1 manifest vs N manifests (interleaved repetitions, medians)
 *   2. full-fleet `npx cdk synth` of N tenants (our app: cdk-nag, isolation plugin, built-in validation) vs the bare
 *      app with the same stacks and no checks (scripts/bench-app.ts --bare): wall time, CPU time, peak memory
 *   3. the template verifier over the N-tenant cloud assembly vs the read-and-JSON.parse floor, twice: in process
 *      (process start excluded), and end to end as users run it: the `verify` CLI spawned on the N-tenant assembly
 *      minus on a one-tenant assembly, against a spawned script parsing N templates minus one (marginal cost)
 *   4. cdk-nag (AwsSolutions + each tenant's regime packs) and cfn-guard (the control-tower rules of
 *      @cdklabs/cdk-validator-cfnguard) on the same templates
 *   --knobs adds the cost of each check on the full fleet (built-in validation, cdk-nag, isolation plugin).
 *
 * Options:
 *   --tenants N        synthetic fleet size (default 500)
 *   --reps R           repetitions of each single-tenant synth (default 3)
 *   --tenant <id>      the tenant of the single-tenant synth (default t0001-desk: hardware, hipaa)
 *   --nag-sample K     templates cdk-nag runs on (default: all N)
 *   --guard-sample K   templates cfn-guard runs on (default 10: it takes about 3 s per template)
 *   --knobs            also synthesize the fleet with each check switched off (3 more full-fleet synths)
 *   --verify-runs V    alternating runs of the floor and the verifier after one untimed round (default 9; medians)
 *   --e2e-runs E       rounds of the end-to-end measure (default 3; medians): each round runs the floor and the CLI
 *                      on 1 and on N tenants, alternating
 *   --entry tsx|dist   the CLI entry of the end-to-end measure: `node --import tsx bin/exclusive-desk.ts` (what
 *                      `npm run verify` runs, default) or `node dist/bin/exclusive-desk.js` (the installed package;
 *                      run `npm run build` first)
 *   --only verifier    only section 3: the verifier vs the floor (synthesizes our app's fleet unless --assembly)
 *   --assembly <dir>   with --only verifier: an N-tenant cloud assembly kept by an earlier run (--keep)
 *   --keep             keep the temporary directory (manifests, cloud assemblies)
 *
 * Child processes are measured with GNU time (`/usr/bin/time`): wall time, user + system CPU time and the peak
 * resident memory of the largest process. Wall times on a shared machine are noisy: the CPU column is steadier.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import type { NagPack } from 'cdk-nag';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { packsFor, type NagPackName } from '../lib/compliance/packs';
import { verifyTemplates } from '../lib/cli/verify';
import type { Regime } from '../lib/manifest/schema';
import { syntheticTenantId, writeSyntheticFleet } from './bench-fleet';

const ROOT = path.resolve(__dirname, '..');
const TIME = '/usr/bin/time';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '500' },
    reps: { type: 'string', default: '3' },
    tenant: { type: 'string', default: syntheticTenantId(1) },
    'nag-sample': { type: 'string' },
    'guard-sample': { type: 'string', default: '10' },
    knobs: { type: 'boolean', default: false },
    'verify-runs': { type: 'string', default: '9' },
    'e2e-runs': { type: 'string', default: '3' },
    entry: { type: 'string', default: 'tsx' },
    only: { type: 'string' },
    assembly: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = positiveInt('tenants', values.tenants);
const REPS = positiveInt('reps', values.reps);
const NAG_SAMPLE = Math.min(N, values['nag-sample'] ? positiveInt('nag-sample', values['nag-sample']) : N);
const GUARD_SAMPLE = Math.min(N, positiveInt('guard-sample', values['guard-sample']));
const VERIFY_RUNS = positiveInt('verify-runs', values['verify-runs']);
const E2E_RUNS = positiveInt('e2e-runs', values['e2e-runs']);
if (values.entry !== 'tsx' && values.entry !== 'dist') throw new Error(`--entry must be "tsx" or "dist", got "${values.entry}"`);
const ENTRY: readonly string[] =
  values.entry === 'tsx' ? ['--import', 'tsx', 'bin/exclusive-desk.ts'] : [path.join('dist', 'bin', 'exclusive-desk.js')];
if (values.entry === 'dist' && !fs.existsSync(path.join(ROOT, ENTRY[0]!)))
  throw new Error('--entry dist needs the built package: run `npm run build` first');
if (values.only !== undefined && values.only !== 'verifier') throw new Error(`--only must be "verifier", got "${values.only}"`);
const ONLY_VERIFIER = values.only === 'verifier';
if (values.assembly && !ONLY_VERIFIER) throw new Error('--assembly goes with --only verifier');

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1, got "${raw}"`);
  return n;
}

/** One measured child process. */
interface Run {
  readonly wall: number;
  readonly cpu: number;
  /** Peak resident set of the largest process, MB. */
  readonly rssMb: number;
  /** CPU time of the main thread alone (Linux /proc; measured for `node` children only). */
  readonly mainCpu?: number;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Preloaded into measured `node` children (`-r`): at exit, appends the main thread's CPU seconds (utime + stime of
 * /proc/self/task/<pid>/stat, in clock ticks of 1/100 s) to the file named by MAIN_THREAD_CPU_FILE. The process CPU
 * time also counts V8's helper threads (concurrent optimizing compiler, parallel and concurrent GC), which compete
 * for the cores of a busy machine but run beside the main thread on an idle one: main-thread CPU is the figure
 * that least depends on the load of a shared machine.
 */
const MAIN_THREAD_HOOK = `const fs = require('fs');
process.on('exit', () => {
  const out = process.env.MAIN_THREAD_CPU_FILE;
  if (!out) return;
  try {
    const stat = fs.readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    fs.appendFileSync(out, (Number(f[11]) + Number(f[12])) / 100 + '\\n');
  } catch {}
});
`;

/** Runs a command under GNU time; throws with the end of its stderr when it fails (exit 1 allowed with okExit1). */
function measure(label: string, command: string, args: readonly string[], options: { okExit1?: boolean } = {}): Run {
  const timeFile = path.join(work, `time-${Math.random().toString(36).slice(2)}.txt`);
  const mainFile = `${timeFile}.main`;
  const started = Date.now();
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', MAIN_THREAD_CPU_FILE: mainFile },
  });
  if (r.status !== 0 && !(options.okExit1 && r.status === 1)) {
    const err = r.stderr?.toString() ?? '';
    throw new Error(
      `${label} failed (exit ${r.status}): ${command} ${args.join(' ')}\n${err.split('\n').slice(-30).join('\n')}`,
    );
  }
  const [wall, user, sys, rssKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const mainLines = fs.existsSync(mainFile) ? fs.readFileSync(mainFile, 'utf8').trim().split('\n') : [];
  const mainCpu = mainLines.length > 0 ? Number(mainLines[mainLines.length - 1]) : undefined;
  const run = { wall: wall!, cpu: user! + sys!, rssMb: rssKb! / 1024, ...(mainCpu !== undefined ? { mainCpu } : {}) };
  log(
    `${label}: ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(1)} s CPU, ${run.rssMb.toFixed(0)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  return run;
}

function cdkSynth(label: string, outdir: string, extra: readonly string[]): Run {
  fs.rmSync(outdir, { recursive: true, force: true });
  return measure(label, 'npx', ['cdk', 'synth', '-q', '-o', outdir, ...extra]);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianRun(runs: readonly Run[]): Run {
  const main = runs.map((r) => r.mainCpu).filter((x): x is number => x !== undefined);
  return {
    wall: median(runs.map((r) => r.wall)),
    cpu: median(runs.map((r) => r.cpu)),
    rssMb: median(runs.map((r) => r.rssMb)),
    ...(main.length === runs.length ? { mainCpu: median(main) } : {}),
  };
}

/** CPU and wall milliseconds of an in-process function. */
function inProcess<T>(f: () => T): { ms: number; cpuMs: number; result: T } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = f();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, result };
}

/** The stack template files of a cloud assembly (top level; the bench app has no Stages). */
function templateFiles(assembly: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.values(manifest.artifacts)
    .filter((a) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map((a) => path.join(assembly, a.properties!.templateFile!))
    .sort();
}

/**
 * A cloud assembly holding only the first stack of `assembly` (and the artifacts it depends on, e.g. its asset
 * manifest), its files linked: the one-tenant side of the end-to-end measure, without a second synth.
 */
function oneTenantAssembly(assembly: string, dir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; dependencies?: string[]; properties?: { templateFile?: string; file?: string } }>;
  };
  const [id, stack] = Object.entries(manifest.artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack') ?? [];
  if (!id || !stack) throw new Error(`no stack in ${assembly}`);
  const keep = [id, ...(stack.dependencies ?? [])];
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const k of keep) {
    const a = manifest.artifacts[k];
    if (!a) continue;
    artifacts[k] = a;
    for (const file of [a.properties?.templateFile, a.properties?.file]) {
      if (file) fs.symlinkSync(path.join(assembly, file), path.join(dir, file));
    }
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, artifacts }));
  return dir;
}

const NAG_FACTORIES: Readonly<Record<NagPackName, () => NagPack>> = {
  AwsSolutions: () => new AwsSolutionsChecks(),
  'HIPAA.Security': () => new HIPAASecurityChecks(),
  'PCI.DSS.321': () => new PCIDSS321Checks(),
  'NIST.800.53.R5': () => new NIST80053R5Checks(),
};

function cfnGuardBinary(): string {
  const pkg = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const platform = os.platform() === 'darwin' ? 'macos' : 'ubuntu';
  const arch = os.arch() === 'arm64' ? 'aarch64' : 'x86_64';
  return path.join(pkg, 'bin', platform, arch, 'cfn-guard');
}

const s = (x: number): string => `${x.toFixed(1)} s`;
const mb = (x: number): string => `${x.toFixed(0)} MB`;
const per = (ms: number, n: number): string => `${(ms / n).toFixed(2)} ms/template`;

// ---------------------------------------------------------------------------------------------------------------
const benchStart = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-desk-bench-'));
const fleetDir = path.join(work, `fleet-${N}`);
const oneDir = path.join(work, 'fleet-1');
const ids = writeSyntheticFleet(fleetDir, N);
const tenant = values.tenant;
if (!ids.includes(tenant)) throw new Error(`--tenant ${tenant} is not in the synthetic fleet of ${N} (${ids[0]} ...)`);
fs.mkdirSync(oneDir);
fs.copyFileSync(path.join(fleetDir, `${tenant}.yaml`), path.join(oneDir, `${tenant}.yaml`));
const load = os.loadavg()[0]!;
log(`fleet of ${N} in ${fleetDir}; ${os.cpus().length} CPUs, load average ${load.toFixed(2)}`);

let oneM: Run | undefined;
let manyM: Run | undefined;
let ours: Run | undefined;
let bare: Run | undefined;
const knobs: { name: string; off: Run }[] = [];
let allOn: Run | undefined;
const oursOut = values.assembly ? path.resolve(values.assembly) : path.join(work, 'out-ours');
if (ONLY_VERIFIER) {
  if (!values.assembly) ours = cdkSynth(`full-fleet synth, ${N} tenants, our app`, oursOut, ['-c', `tenantsDir=${fleetDir}`]);
} else {
  // 1. One tenant, fleet of 1 vs fleet of N (interleaved so drift in machine load hits both sides alike).
  const one: Run[] = [];
  const many: Run[] = [];
  for (let i = 0; i < REPS; i++) {
    one.push(
      cdkSynth(`synth -c tenant=${tenant}, fleet of 1 (${i + 1}/${REPS})`, path.join(work, 'out-one'), [
        '-c',
        `tenant=${tenant}`,
        '-c',
        `tenantsDir=${oneDir}`,
      ]),
    );
    many.push(
      cdkSynth(`synth -c tenant=${tenant}, fleet of ${N} (${i + 1}/${REPS})`, path.join(work, 'out-many'), [
        '-c',
        `tenant=${tenant}`,
        '-c',
        `tenantsDir=${fleetDir}`,
      ]),
    );
  }
  oneM = medianRun(one);
  manyM = medianRun(many);

  // 2. Full fleet: our app vs the bare app.
  ours = cdkSynth(`full-fleet synth, ${N} tenants, our app`, oursOut, ['-c', `tenantsDir=${fleetDir}`]);
  const benchApp = (flags: string): string[] => [
    '--app',
    `npx tsx scripts/bench-app.ts --tenants-dir ${fleetDir} ${flags}`,
  ];
  bare = cdkSynth(`full-fleet synth, ${N} tenants, bare app`, path.join(work, 'out-bare'), benchApp('--bare'));
  if (values.knobs) {
    allOn = cdkSynth('knobs: bench app, every check on', path.join(work, 'out-knob'), benchApp(''));
    for (const [name, flag] of [
      ['built-in CloudFormation validation', '--no-builtin'],
      ['cdk-nag packs', '--no-nag'],
      ['isolation plugin', '--no-isolation'],
    ] as const) {
      knobs.push({ name, off: cdkSynth(`knobs: without ${name}`, path.join(work, 'out-knob'), benchApp(flag)) });
    }
  }
}

// 3. The verifier vs the floor, in process, on our app's assembly.
const files = templateFiles(oursOut);
if (files.length !== N) throw new Error(`expected ${N} templates in ${oursOut}, found ${files.length}`);
const floorRuns: { ms: number; cpuMs: number }[] = [];
const verifyRuns: { ms: number; cpuMs: number }[] = [];
const pairRatios: number[] = [];
// One untimed round of each first: loading and optimizing the code (JIT) is a one-time cost that belongs with
// process start, not with the marginal cost per template; the timed runs then alternate.
files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown);
verifyTemplates([oursOut]);
for (let i = 0; i < VERIFY_RUNS; i++) {
  floorRuns.push(inProcess(() => files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown).length));
  const v = inProcess(() => verifyTemplates([oursOut]));
  if (v.result.tenants.length !== N)
    throw new Error(`the verifier saw ${v.result.tenants.length} tenants, expected ${N}`);
  verifyRuns.push(v);
  pairRatios.push(v.ms / floorRuns[i]!.ms);
  log(`verifier ${v.ms.toFixed(0)} ms (CPU ${v.cpuMs.toFixed(0)} ms) vs floor ${floorRuns[i]!.ms.toFixed(0)} ms (CPU ${floorRuns[i]!.cpuMs.toFixed(0)} ms)`);
}
const floor = { ms: median(floorRuns.map((r) => r.ms)), cpuMs: median(floorRuns.map((r) => r.cpuMs)) };
const verify = { ms: median(verifyRuns.map((r) => r.ms)), cpuMs: median(verifyRuns.map((r) => r.cpuMs)) };
const verifierRow = (): [string, string, string, string] => [
  `verifier over the ${N}-tenant assembly vs read + JSON.parse (in process, median of ${VERIFY_RUNS})`,
  `${s(verify.ms / 1000)} = ${per(verify.ms, N)} (CPU ${s(verify.cpuMs / 1000)})`,
  `${s(floor.ms / 1000)} = ${per(floor.ms, N)} (CPU ${s(floor.cpuMs / 1000)})`,
  `${(verify.ms / floor.ms).toFixed(2)}x wall (runs ${Math.min(...pairRatios).toFixed(2)}-${Math.max(...pairRatios).toFixed(2)}x), ${(verify.cpuMs / floor.cpuMs).toFixed(2)}x CPU (target 3x)`,
];
const verdicts = verifyTemplates([oursOut]).tenants;
const failing = verdicts.filter((t) => t.verdict !== 'pass').length;

// 3b. End to end, as users run it: the CLI spawned over the N-tenant assembly minus over a one-tenant assembly,
// against a spawned script that reads and parses N templates minus one. Process start, module loading and tsx's
// transpiling cancel in the differences; what remains is the marginal cost of N - 1 templates, cold code (the JIT
// warming up) and all.
const oneAssembly = oneTenantAssembly(oursOut, path.join(work, 'e2e-one'));
const hook = path.join(work, 'main-thread-cpu.js');
fs.writeFileSync(hook, MAIN_THREAD_HOOK);
const floorScript = path.join(work, 'floor.js');
fs.writeFileSync(
  floorScript,
  `const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
for (const a of Object.values(manifest.artifacts))
  if (a.type === 'aws:cloudformation:stack') JSON.parse(fs.readFileSync(path.join(dir, a.properties.templateFile), 'utf8'));
`,
);
const e2e = { floor1: [] as Run[], floorN: [] as Run[], cli1: [] as Run[], cliN: [] as Run[] };
for (let i = 0; i < E2E_RUNS; i++) {
  const round = `(${i + 1}/${E2E_RUNS})`;
  e2e.floor1.push(measure(`e2e floor, 1 template ${round}`, process.execPath, ['-r', hook, floorScript, oneAssembly]));
  e2e.cli1.push(measure(`e2e verify CLI, 1 tenant ${round}`, process.execPath, ['-r', hook, ...ENTRY, 'verify', oneAssembly], { okExit1: true }));
  e2e.floorN.push(measure(`e2e floor, ${N} templates ${round}`, process.execPath, ['-r', hook, floorScript, oursOut]));
  e2e.cliN.push(measure(`e2e verify CLI, ${N} tenants ${round}`, process.execPath, ['-r', hook, ...ENTRY, 'verify', oursOut], { okExit1: true }));
}
const [floor1, floorN, cli1, cliN] = [e2e.floor1, e2e.floorN, e2e.cli1, e2e.cliN].map(medianRun) as [Run, Run, Run, Run];
const marginal = (a: Run, b: Run, k: 'wall' | 'cpu' | 'mainCpu'): number => (a[k] ?? NaN) - (b[k] ?? NaN);
const e2eRatio = (k: 'wall' | 'cpu' | 'mainCpu'): string => (marginal(cliN, cli1, k) / marginal(floorN, floor1, k)).toFixed(2);
const e2eRow: [string, string, string, string] = [
  `verify CLI end to end (${values.entry} entry), ${N} tenants minus 1 vs parse ${N} templates minus 1 (median of ${E2E_RUNS} alternating)`,
  `${s(marginal(cliN, cli1, 'wall'))} = ${per(marginal(cliN, cli1, 'wall') * 1000, N - 1)} (CPU ${s(marginal(cliN, cli1, 'cpu'))}, main thread ${s(marginal(cliN, cli1, 'mainCpu'))})`,
  `${s(marginal(floorN, floor1, 'wall'))} (CPU ${s(marginal(floorN, floor1, 'cpu'))}, main thread ${s(marginal(floorN, floor1, 'mainCpu'))})`,
  `**${e2eRatio('wall')}x** wall, ${e2eRatio('cpu')}x CPU, ${e2eRatio('mainCpu')}x main-thread CPU (bound 2.5x)`,
];
const cliRow: [string, string, string, string] = [
  `  verify CLI, process start included (${failing} of ${N} tenants fail)`,
  `${s(cliN.wall)}, peak ${mb(cliN.rssMb)}`,
  `1 tenant: ${s(cli1.wall)}, peak ${mb(cli1.rssMb)}`,
  '',
];

function printTable(rows: readonly (readonly [string, string, string, string])[]): void {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const out = [
    `exclusive-desk bench: ${N} synthetic tenants; ${os.cpus().length} CPUs; node ${process.version}; load average ${load.toFixed(2)} at start; ` +
      `took ${((Date.now() - benchStart) / 60000).toFixed(1)} min`,
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (ONLY_VERIFIER) {
  printTable([['measure', 'ours', 'compared with', 'ratio'], verifierRow(), e2eRow, cliRow]);
} else {
  // 4. cdk-nag on the same templates (CfnInclude then each tenant's packs), cfn-guard on a sample.
  let includeMs = 0;
  let nagMs = 0;
  let nagFindings = 0;
  for (const file of files.slice(0, NAG_SAMPLE)) {
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Metadata?: { 'exclusive-desk'?: { compliance?: Regime[] } };
    };
    const regimes = template.Metadata?.['exclusive-desk']?.compliance ?? [];
    const inc = inProcess(() => {
      const stack = new Stack(new App(), 'Included');
      new CfnInclude(stack, 'Template', { templateFile: file });
      return stack;
    });
    includeMs += inc.ms;
    const nag = inProcess(() =>
      packsFor(regimes).reduce((n, p) => n + NAG_FACTORIES[p]().validateScope(inc.result).violations.length, 0),
    );
    nagMs += nag.ms;
    nagFindings += nag.result;
  }
  log(`cdk-nag: ${NAG_SAMPLE} templates, include ${includeMs.toFixed(0)} ms, packs ${nagMs.toFixed(0)} ms`);

  const guardData = path.join(work, 'guard-data');
  fs.mkdirSync(guardData);
  for (const f of files.slice(0, GUARD_SAMPLE)) fs.symlinkSync(f, path.join(guardData, path.basename(f)));
  const guardRules = path.join(
    path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
    'rules',
    'control-tower',
    'cfn-guard',
  );
  const guardRuleCount = (function count(dir: string): number {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce((n, e) => n + (e.isDirectory() ? count(path.join(dir, e.name)) : e.name.endsWith('.guard') ? 1 : 0), 0);
  })(guardRules);
  const guardBin = cfnGuardBinary();
  const guardVersion = spawnSync(guardBin, ['--version']).stdout.toString().trim();
  // The invocation of CfnGuardValidator.execGuard (validate, JSON, structured). Exit 19 means non-compliant: expected.
  const guardRun = (() => {
    const timeFile = path.join(work, 'time-guard.txt');
    const r = spawnSync(
      TIME,
      [
        '-f',
        '%e %U %S %M',
        '-o',
        timeFile,
        guardBin,
        'validate',
        '--rules',
        guardRules,
        '--data',
        guardData,
        '--output-format',
        'json',
        '--show-summary',
        'none',
        '--structured',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1024 * 1024 * 1024 },
    );
    if (r.status !== 0 && r.status !== 19)
      throw new Error(`cfn-guard failed (exit ${r.status}): ${r.stderr?.toString().slice(-2000)}`);
    const [wall, user, sys, rssKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wall: wall!, cpu: user! + sys!, rssMb: rssKb! / 1024 };
  })();
  log(`cfn-guard: ${GUARD_SAMPLE} templates, ${guardRun.wall.toFixed(1)} s`);

  // ---------------------------------------------------------------------------------------------------------------
  const rows: [string, string, string, string][] = [
    ['measure', 'ours', 'compared with', 'ratio'],
    [
      `synth -c tenant=${tenant}: ${N} manifests vs 1 (median of ${REPS})`,
      `${s(manyM!.wall)} (CPU ${s(manyM!.cpu)}, ${mb(manyM!.rssMb)})`,
      `${s(oneM!.wall)} (CPU ${s(oneM!.cpu)}, ${mb(oneM!.rssMb)})`,
      `${(manyM!.wall / oneM!.wall).toFixed(2)}x wall, ${(manyM!.cpu / oneM!.cpu).toFixed(2)}x CPU (bound 1.3x)`,
    ],
    [
      `full-fleet synth, ${N} stacks: ours vs bare app`,
      `${s(ours!.wall)} (CPU ${s(ours!.cpu)}), peak ${mb(ours!.rssMb)}`,
      `${s(bare!.wall)} (CPU ${s(bare!.cpu)}), peak ${mb(bare!.rssMb)}`,
      `${(ours!.wall / bare!.wall).toFixed(2)}x time, ${(ours!.rssMb / bare!.rssMb).toFixed(2)}x memory`,
    ],
    ...knobs.map(({ name, off }): [string, string, string, string] => [
      `  knob: ${name} (full fleet, on vs off)`,
      `${s(allOn!.wall)} (CPU ${s(allOn!.cpu)}), ${mb(allOn!.rssMb)}`,
      `${s(off.wall)} (CPU ${s(off.cpu)}), ${mb(off.rssMb)}`,
      `costs ${s(allOn!.wall - off.wall)} (${((allOn!.wall - off.wall) / N).toFixed(2)} s/stack), ${mb(allOn!.rssMb - off.rssMb)}`,
    ]),
    verifierRow(),
    e2eRow,
    cliRow,
    [
      `cdk-nag (AwsSolutions + regime packs) on ${NAG_SAMPLE} of the templates`,
      `${s(nagMs / 1000)} = ${per(nagMs, NAG_SAMPLE)}`,
      `verifier ${per(verify.ms, N)}`,
      `${(nagMs / NAG_SAMPLE / (verify.ms / N)).toFixed(1)}x the verifier (+ CfnInclude ${per(includeMs, NAG_SAMPLE)}; ${nagFindings} findings, acks are not in templates)`,
    ],
    [
      `cfn-guard ${guardVersion.replace('cfn-guard ', '')}, ${guardRuleCount} control-tower rules, ${GUARD_SAMPLE} of the templates`,
      `${s(guardRun.wall)} = ${(guardRun.wall / GUARD_SAMPLE).toFixed(2)} s/template (CPU ${s(guardRun.cpu)}, ${mb(guardRun.rssMb)})`,
      `verifier ${per(verify.ms, N)}`,
      `${((guardRun.wall * 1000) / GUARD_SAMPLE / (verify.ms / N)).toFixed(0)}x the verifier (all ${N}: ~${(((guardRun.wall / GUARD_SAMPLE) * N) / 60).toFixed(0)} min)`,
    ],
  ];
  printTable(rows);
}
if (values.keep) log(`kept ${work}`);
else fs.rmSync(work, { recursive: true, force: true });
