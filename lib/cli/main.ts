/**
 * `exclusive-desk <command> ...`: dispatches to one command module. Logic lives in the command modules.
 */
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { EXIT, UsageError, type CliIO, type Command } from './io';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  verify: {
    summary: 'verify isolation of cloud assemblies or templates (--live for the deployed account)',
    load: async () => (await import('./verify')).verifyCommand,
  },
  report: {
    summary: 'write the auditor evidence pack (report.html, report.md) for a cloud assembly',
    load: async () => (await import('./report')).reportCommand,
  },
  guard: {
    summary: 'fail when a stateful resource would be replaced or removed between two assemblies',
    load: async () => (await import('./guard')).guardCommand,
  },
  attest: {
    summary: 'verify the signed attestation of an evidence pack (attest verify <dir> --public-key <pem>)',
    load: async () => (await import('./attest')).attestCommand,
  },
  preflight: {
    summary: 'check, read-only, that a tenant account can take its first deploy (bootstrap, zones, classes, quotas)',
    load: async () => (await import('./preflight')).preflightCommand,
  },
  licences: {
    summary: 'print the exclusive licence register from the tenant manifests',
    load: async () => (await import('./licences')).licencesCommand,
  },
};

export function usage(): string {
  return [
    'usage: exclusive-desk <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Run `exclusive-desk <command> --help` for the options of a command; `exclusive-desk --version` for the version.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name ? EXIT.OK : EXIT.BAD_INPUT;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${TOOL_NAME} ${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`exclusive-desk: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.BAD_INPUT;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`exclusive-desk ${name}: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
}
