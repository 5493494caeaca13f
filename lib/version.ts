/** The tool's name and version, from package.json, for reports and SARIF. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findPackageJson(): { name: string; version: string } {
  // From source (lib/) the package is one level up; from the build (dist/lib/) two levels.
  for (const candidate of [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', 'package.json')]) {
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'exclusive-desk' && pkg.version) return { name: pkg.name, version: pkg.version };
    }
  }
  return { name: 'exclusive-desk', version: '0.0.0' };
}

const pkg = findPackageJson();
export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;
export const TOOL_URI = 'https://github.com/exclusive-desk/exclusive-desk';
