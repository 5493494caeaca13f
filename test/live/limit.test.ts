import { limiter } from '../../lib/live/limit';

test('runs at most n tasks at once, in order, and passes results and errors through', async () => {
  const limit = limiter(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const task = (i: number) => async () => {
    started.push(i);
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    if (i === 3) throw new Error('three');
    return i;
  };
  const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit(task(i))));
  expect(peak).toBe(2);
  expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 1, 2, 'three', 4, 5]);
});

test('rejects a concurrency that is not a whole number of at least 1', () => {
  expect(() => limiter(0)).toThrow('concurrency must be a whole number >= 1, got 0');
});
