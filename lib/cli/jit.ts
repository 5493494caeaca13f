/**
 * V8 tuning for the CLI's batch runs (ADR 0012). A verify run calls each rule once per tenant: a few hundred calls
 * per function, then the process exits. With V8's default tiering most rule functions reach the optimizing compiler
 * (TurboFan) halfway through such a run, and compiling them costs more CPU than the optimized code saves before
 * exit (measured on a 200-tenant assembly: the optimizing compiler's threads used more CPU than the whole main
 * thread). A 16x interrupt budget leaves the optimizing compiler to the functions that stay hot: same main-thread
 * time at 200 and 600 templates, about half the process CPU, and on a busy machine (where the compiler threads
 * compete for the cores) about 40 % less wall time. Tiering changes how fast code runs, never what it computes.
 */
import * as v8 from 'node:v8';

/** V8's default interrupt budget (Node 20, V8 11.3: `node --v8-options`), in bytes of bytecode executed. */
const DEFAULT_INTERRUPT_BUDGET = 66 * 1024;

/** The V8 flags to set, or none when the user sets the budget (NODE_OPTIONS, node flags) or opts out. */
export function batchJitFlags(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.EXCLUSIVE_DESK_V8_DEFAULTS === '1') return [];
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => /^--interrupt[-_]budget\b/.test(a))) return [];
  return [`--interrupt-budget=${16 * DEFAULT_INTERRUPT_BUDGET}`];
}

/** Applies batchJitFlags to this process. Call before the commands run. */
export function tuneJitForBatchRun(): void {
  for (const flag of batchJitFlags(process.execArgv, process.env)) v8.setFlagsFromString(flag);
}
