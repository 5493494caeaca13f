/**
 * Test support: the Chromium the browser tests drive, found the same way on a developer's machine, in CI and on a
 * fresh clone where nothing was installed by hand:
 *
 * 1. `EXCLUSIVE_DESK_CHROMIUM`, when set (an explicit choice always wins);
 * 2. Debian's `/usr/bin/chromium`, when the machine has it;
 * 3. otherwise the Chromium that the npm package `@sparticuz/chromium` (a devDependency, pinned) ships inside its
 *    tarball: `npm ci` alone provides it, no browser is ever downloaded. The package holds an x64 Linux build only,
 *    and inflates it once into `<tmpdir>/chromium` (its own cache; later calls reuse it).
 *
 * Never a skip: when no browser can be had, the tests fail with the reason.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CHROMIUM_ENV = 'EXCLUSIVE_DESK_CHROMIUM';
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for a headless, offline, root-run Chromium (no sandbox as root; no background connections on a closed net). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * The path of a Chromium executable, inflating the npm package's build on first use. Serialized across Jest workers
 * by a lock file, since the package writes its cache in place (a second worker would see a half-written binary).
 */
export async function chromiumExecutable(): Promise<string> {
  const chosen = process.env[CHROMIUM_ENV];
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new Error(`${CHROMIUM_ENV}=${chosen}: no such file`);
    return chosen;
  }
  if (fs.existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `No Chromium: ${DEBIAN_CHROMIUM} is absent and @sparticuz/chromium ships an x64 Linux build only ` +
        `(this is ${process.platform}/${process.arch}). Install Chromium and set ${CHROMIUM_ENV} to its path.`,
    );
  }
  const lock = path.join(os.tmpdir(), 'exclusive-desk-chromium.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock older than two minutes belongs to a process that died mid-inflate: take it over.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock} (another process inflating Chromium)`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sparticuz = require('@sparticuz/chromium') as { executablePath(input?: string): Promise<string> };
    const file = await sparticuz.executablePath();
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
