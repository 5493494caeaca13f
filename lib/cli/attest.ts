/**
 * `exclusive-desk attest verify <dir> --public-key <pem>`: checks an evidence pack's signed attestation.
 *
 * Exit 0 when the signature verifies with the given key and every pack file and input has the SHA-256 the attestation
 * records; 1 naming each changed, missing or unexpected file, or a signature from another key; 2 for bad input (no
 * attestation, not a DSSE envelope of an in-toto Statement, an unreadable key, a bad flag).
 */
import * as path from 'node:path';
import { AttestationInputError, verifyAttestation } from '../attest/attestation';
import { KeyError, keyIdOf, loadPublicKey, verifierFor } from '../attest/keys';
import { ATTESTATION_FILE } from '../attest/statement';
import { parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO, type Command } from './io';

export const ATTEST_USAGE = `usage: exclusive-desk attest verify <pack dir> --public-key <pem> [options]

Verifies ${ATTESTATION_FILE} in an evidence pack written by \`exclusive-desk report --sign-key\` (or
--sign-kms-key): the DSSE signature with the given public key, then the SHA-256 of every file of the pack and of
every input that decided it (templates, cloud assembly records, tenant manifests, validation report).

options:
  --public-key <pem>    the signer's public key (Ed25519, or the KMS key's public key: ECDSA P-256 or RSA)
  --inputs-dir <dir>    where the inputs are, as the report named them (default: the current directory)
  --pack-only           check the pack files only (the inputs are not at hand); says so
  -h, --help            show this help

exit codes: 0 signature and every digest hold, 1 a changed, missing or unexpected file or another key's
signature (each named), 2 bad input
`;

const OPTIONS = {
  'public-key': { type: 'string' },
  'inputs-dir': { type: 'string' },
  'pack-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const attestCommand: Command = (argv, io) => new Promise<number>((resolve) => resolve(runAttest(argv, io)));

export function runAttest(argv: readonly string[], io: CliIO): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(ATTEST_USAGE);
    return sub ? EXIT.OK : EXIT.BAD_INPUT;
  }
  if (sub !== 'verify') throw new UsageError(`unknown subcommand "${sub}"; subcommands: verify`);
  const { values, positionals } = parseCommandArgs(rest, OPTIONS, { min: 1, max: 1, names: 'pack directory' });
  if (values.help) {
    io.stdout(ATTEST_USAGE);
    return EXIT.OK;
  }
  if (!values['public-key']) throw new UsageError('--public-key <pem> is required: the key the pack must be signed by');
  const dir = path.resolve(io.cwd, positionals[0]!);
  const rel = (f: string): string => path.relative(io.cwd, f) || f;
  try {
    const key = loadPublicKey(path.resolve(io.cwd, values['public-key']));
    const outcome = verifyAttestation(dir, verifierFor(key), {
      inputsDir: path.resolve(io.cwd, values['inputs-dir'] ?? '.'),
      packOnly: values['pack-only'],
    });
    if (outcome.problems.length > 0) {
      for (const p of outcome.problems) io.stderr(`exclusive-desk attest: ${p.kind.toUpperCase()} ${p.message}\n`);
      io.stdout(`FAIL ${rel(dir)}: ${outcome.problems.length} problem(s); the pack does not match its attestation\n`);
      return EXIT.FAILED;
    }
    const p = outcome.statement!.predicate;
    io.stdout(
      `OK ${rel(dir)}: signed by ${keyIdOf(key)}; ${outcome.packFiles} pack file(s)` +
        (outcome.inputsSkipped
          ? ` hold their SHA-256; ${outcome.inputs} input(s) NOT checked (--pack-only)`
          : ` and ${outcome.inputs} input(s) hold their SHA-256`) +
        `; ${p.tool.name} ${p.tool.version} at ${p.project.describe ?? p.project.commit}, generated ${p.generatedAt}\n`,
    );
    return EXIT.OK;
  } catch (e) {
    if (e instanceof KeyError || e instanceof AttestationInputError) throw new UsageError(e.message);
    throw e;
  }
}
