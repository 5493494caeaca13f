import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { batchJitFlags } from '../../lib/cli/jit';

describe('batchJitFlags', () => {
  test('raises the interrupt budget 16x over V8 11.3\'s default', () => {
    expect(batchJitFlags([], {})).toEqual(['--interrupt-budget=1081344']);
  });
  test.each([
    [['--interrupt-budget=1000'], {}],
    [[], { NODE_OPTIONS: '--max-old-space-size=4096 --interrupt_budget=5000' }],
    [[], { EXCLUSIVE_DESK_V8_DEFAULTS: '1' }],
  ])('leaves V8 alone when the user decides (%j %j)', (execArgv, env) => {
    expect(batchJitFlags(execArgv, env)).toEqual([]);
  });
  test('the flag is one this Node accepts', () => {
    const r = spawnSync(process.execPath, ['--interrupt-budget=1081344', '-e', 'process.exit(0)'], { cwd: path.join(__dirname, '..', '..') });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });
});
