/** The tool's name and version, from package.json, for reports and SARIF. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;
export const TOOL_URI = 'https://github.com/exclusive-desk/exclusive-desk';
