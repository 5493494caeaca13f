#!/usr/bin/env node
import { main } from '../lib/cli/main';
import { processIO } from '../lib/cli/io';
import { tuneJitForBatchRun } from '../lib/cli/jit';

tuneJitForBatchRun();

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // An internal error: one line, no stack trace unless asked for.
    console.error(`exclusive-desk: internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.EXCLUSIVE_DESK_DEBUG) console.error(e);
    process.exitCode = 3;
  },
);
