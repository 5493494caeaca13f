/**
 * Writes an output file whole or not at all: the text goes to a temporary file beside the target, which is then
 * renamed over it, so a reader never sees half a report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './io';

export function writeOutput(file: string, text: string): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new UsageError(`cannot write ${file}: the directory ${dir} does not exist`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
