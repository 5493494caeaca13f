/** The tool's name and version, from package.json, for reports, SARIF, attestations and `--version`. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findPackageJson(): { name: string; version: string; dir: string } {
  // From source (lib/) the package is one level up; from the build (dist/lib/) two levels.
  for (const dir of [path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'exclusive-desk' && pkg.version) return { name: pkg.name, version: pkg.version, dir: path.resolve(dir) };
    }
  }
  return { name: 'exclusive-desk', version: '0.0.0', dir: path.resolve(__dirname, '..') };
}

const pkg = findPackageJson();
export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;
/** The directory holding the tool's package.json (the project checkout when run from source). */
export const PACKAGE_DIR: string = pkg.dir;
export const TOOL_URI = 'https://github.com/exclusive-desk/exclusive-desk';
