import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { RULES } from '../../lib/isolation/rules';
import { memoryIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import type { Statement } from '../../lib/attest/statement';
import { TOOL_VERSION } from '../../lib/version';
import { FIXTURES } from '../report/support';

const EPOCH = { SOURCE_DATE_EPOCH: '1780306200' }; // 2026-06-01T09:30:00Z
const kms = mockClient(KMSClient);

let tmp: string;
beforeEach(() => {
  kms.reset();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-cli-'));
  // The inputs, copied so a test can change them.
  fs.cpSync(path.join(FIXTURES, 'assembly'), path.join(tmp, 'cdk.out'), { recursive: true });
  fs.cpSync(
    path.join(FIXTURES, 'fleet', 'initech-dental.template.yaml'),
    path.join(tmp, 'initech-dental.template.yaml'),
  );
  fs.cpSync(path.join(FIXTURES, 'tenants'), path.join(tmp, 'tenants'), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeKey(name: string, key: KeyObject, type: 'pkcs8' | 'spki'): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, key.export({ format: 'pem', type }));
  return file;
}

function ed25519(name: string): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: writeKey(`${name}.pem`, privateKey, 'pkcs8'), pub: writeKey(`${name}.pub.pem`, publicKey, 'spki') };
}

async function cli(
  args: readonly string[],
  env: Record<string, string> = EPOCH,
): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(tmp, env);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

const REPORT = [
  'report',
  'cdk.out',
  'initech-dental.template.yaml',
  '--tenants-dir',
  'tenants',
  '--today',
  '2026-06-01',
];

function statementOf(dir: string): Statement {
  const env = JSON.parse(fs.readFileSync(path.join(tmp, dir, 'attestation.dsse.json'), 'utf8')) as {
    payload: string;
    payloadType: string;
  };
  expect(env.payloadType).toBe('application/vnd.in-toto+json');
  return JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as Statement;
}

const sha256 = (file: string) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(tmp, file)))
    .digest('hex');

describe('report --sign-key and attest verify', () => {
  test('signs an in-toto Statement of every pack file and input, and verifies it', async () => {
    const key = ed25519('signer');
    const r = await cli([...REPORT, '--output', 'pack', '--sign-key', key.priv]);
    expect(r.code).toBe(1); // initech-dental fails; the pack is still written and signed
    expect(r.out).toBe(
      'wrote pack/report.html, pack/report.md and pack/attestation.dsse.json: 3 tenants, 1 pass, 1 fail, 1 not in the inputs\n',
    );
    const s = statementOf('pack');
    expect(s._type).toBe('https://in-toto.io/Statement/v1');
    expect(s.predicateType).toBe('https://github.com/exclusive-desk/exclusive-desk/attestation/evidence-pack/v1');
    expect(s.subject.map((x) => [x.name, x.annotations.role])).toEqual([
      ['report.html', 'pack'],
      ['report.md', 'pack'],
      ['cdk.out/manifest.json', 'assembly-manifest'],
      ['cdk.out/ExclusiveDesk-globex-health.template.json', 'template'],
      ['initech-dental.template.yaml', 'template'],
      ['cdk.out/ExclusiveDesk-globex-health.assets.json', 'asset-manifest'],
      ['cdk.out/ExclusiveDesk-globex-health.metadata.json', 'stack-metadata'],
      ['cdk.out/validation-report.json', 'validation-report'],
      ['tenants/globex-health.yaml', 'tenant-manifest'],
      ['tenants/hooli-legal.yaml', 'tenant-manifest'],
      ['tenants/initech-dental.yaml', 'tenant-manifest'],
    ]);
    for (const x of s.subject)
      expect(x.digest.sha256).toBe(sha256(x.annotations.role === 'pack' ? `pack/${x.name}` : x.name));
    expect(s.predicate.tool).toEqual({
      name: 'exclusive-desk',
      version: TOOL_VERSION,
      uri: 'https://github.com/exclusive-desk/exclusive-desk',
    });
    expect(s.predicate.project.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    // The copied manifests are in no git checkout.
    expect(s.predicate.tenantManifests).toEqual({ directory: 'tenants', commit: 'unknown' });
    expect(s.predicate.ruleCatalogue).toEqual({
      rules: RULES.length,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(s.predicate.generatedAt).toBe('2026-06-01T09:30:00.000Z');
    expect(s.predicate.verdict).toEqual({
      fleet: 'fail',
      tenants: [
        { id: 'initech-dental', verdict: 'fail' },
        { id: 'globex-health', verdict: 'pass' },
        { id: 'hooli-legal', verdict: 'not verified' },
      ],
    });

    const v = await cli(['attest', 'verify', 'pack', '--public-key', key.pub]);
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
    expect(v.out).toMatch(
      /^OK pack: signed by sha256:[0-9a-f]{64}; 2 pack file\(s\) and 9 input\(s\) hold their SHA-256; exclusive-desk /,
    );
  });

  test('the same inputs and SOURCE_DATE_EPOCH give a byte-identical attestation', async () => {
    const key = ed25519('signer');
    await cli([...REPORT, '--output', 'a', '--sign-key', key.priv]);
    await cli([...REPORT, '--output', 'b', '--sign-key', key.priv]);
    expect(fs.readFileSync(path.join(tmp, 'a', 'attestation.dsse.json'))).toEqual(
      fs.readFileSync(path.join(tmp, 'b', 'attestation.dsse.json')),
    );
  });

  test('names each changed, missing and unexpected file of the pack (exit 1)', async () => {
    const key = ed25519('signer');
    await cli([...REPORT, '--output', 'pack', '--sign-key', key.priv]);
    const html = path.join(tmp, 'pack', 'report.html');
    const bytes = fs.readFileSync(html);
    bytes[100] = bytes[100]! ^ 1; // one changed bit
    fs.writeFileSync(html, bytes);
    fs.rmSync(path.join(tmp, 'pack', 'report.md'));
    fs.writeFileSync(path.join(tmp, 'pack', 'notes.txt'), 'added later');
    const v = await cli(['attest', 'verify', 'pack', '--public-key', key.pub]);
    expect(v.code).toBe(1);
    expect(v.out).toBe('FAIL pack: 3 problem(s); the pack does not match its attestation\n');
    expect(v.err.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /^exclusive-desk attest: CHANGED report\.html was changed \(a file of the pack\): its SHA-256 is [0-9a-f]{64}, the attestation records [0-9a-f]{64}$/,
      ),
      'exclusive-desk attest: MISSING report.md is missing (a file of the pack)',
      'exclusive-desk attest: UNEXPECTED notes.txt is in the pack but not in the attestation',
    ]);
  });

  test('names a changed or missing input; --pack-only checks the pack alone and says so', async () => {
    const key = ed25519('signer');
    await cli([...REPORT, '--output', 'pack', '--sign-key', key.priv]);
    fs.appendFileSync(path.join(tmp, 'tenants', 'globex-health.yaml'), '# approver changed after synthesis\n');
    fs.rmSync(path.join(tmp, 'cdk.out', 'validation-report.json'));
    const v = await cli(['attest', 'verify', 'pack', '--public-key', key.pub]);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(
      /CHANGED tenants\/globex-health\.yaml was changed \(input: tenant-manifest\): its SHA-256 is/,
    );
    expect(v.err).toContain('MISSING cdk.out/validation-report.json is missing (input: validation-report)');
    const p = await cli(['attest', 'verify', 'pack', '--public-key', key.pub, '--pack-only']);
    expect(p.code).toBe(0);
    expect(p.out).toContain('2 pack file(s) hold their SHA-256; 9 input(s) NOT checked (--pack-only)');
  });

  test('refuses a signature from another key and a changed envelope (exit 1)', async () => {
    const key = ed25519('signer');
    const other = ed25519('other');
    await cli([...REPORT, '--output', 'pack', '--sign-key', key.priv]);
    const v = await cli(['attest', 'verify', 'pack', '--public-key', other.pub]);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(
      /^exclusive-desk attest: SIGNATURE no signature verifies with the given public key \(signed by sha256:[0-9a-f]{64}\): another key signed it, or the envelope was changed\n$/,
    );
    // A statement edited to match a changed file no longer carries a valid signature.
    const file = path.join(tmp, 'pack', 'attestation.dsse.json');
    const env = JSON.parse(fs.readFileSync(file, 'utf8')) as { payload: string };
    const s = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as Statement;
    (s.subject[0]!.digest as { sha256: string }).sha256 = '0'.repeat(64);
    env.payload = Buffer.from(JSON.stringify(s)).toString('base64');
    fs.writeFileSync(file, JSON.stringify(env));
    expect((await cli(['attest', 'verify', 'pack', '--public-key', key.pub])).code).toBe(1);
  });

  test('a report written without a key removes an earlier attestation that no longer matches', async () => {
    const key = ed25519('signer');
    await cli([...REPORT, '--output', 'pack', '--sign-key', key.priv]);
    await cli([...REPORT, '--output', 'pack']);
    expect(fs.readdirSync(path.join(tmp, 'pack')).sort()).toEqual(['report.html', 'report.md']);
  });

  test.each([
    [
      ['attest', 'verify', 'pack', '--public-key', 'signer.pub.pem'],
      /attestation\.dsse\.json: no attestation \(was the pack written with --sign-key or --sign-kms-key\?\)/,
    ],
    [['attest', 'verify', 'nowhere', '--public-key', 'signer.pub.pem'], /nowhere: no such directory/],
    [['attest', 'verify', 'pack'], /--public-key <pem> is required/],
    [
      ['attest', 'verify', 'pack', '--public-key', 'missing.pem'],
      /--public-key .*missing\.pem: cannot read \(ENOENT\)/,
    ],
    [['attest', 'check', 'pack'], /unknown subcommand "check"; subcommands: verify/],
  ])('bad input exits 2 with one clear line: %j', async (args, message) => {
    ed25519('signer');
    fs.mkdirSync(path.join(tmp, 'pack'));
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  test('an envelope that is not JSON exits 2', async () => {
    const key = ed25519('signer');
    fs.mkdirSync(path.join(tmp, 'pack'));
    fs.writeFileSync(path.join(tmp, 'pack', 'attestation.dsse.json'), '{"payload": 1}');
    const r = await cli(['attest', 'verify', 'pack', '--public-key', key.pub]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a DSSE envelope: payload must be a base64 string');
  });

  test.each([
    [
      'an EC private key',
      () => writeKey('ec.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'pkcs8'),
      /--sign-key .*ec\.pem: an Ed25519 key is required, got ec/,
    ],
    ['a public key', () => ed25519('signer').pub, /not a private key in PEM/],
    [
      'not PEM',
      () => {
        fs.writeFileSync(path.join(tmp, 'junk.pem'), 'junk');
        return path.join(tmp, 'junk.pem');
      },
      /not a PEM file/,
    ],
  ])('--sign-key with %s exits 2 and writes nothing', async (_what, make, message) => {
    const r = await cli([...REPORT, '--output', 'pack', '--sign-key', make()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(fs.existsSync(path.join(tmp, 'pack'))).toBe(false);
  });

  test('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r).toEqual({ code: 0, out: `exclusive-desk ${TOOL_VERSION}\n`, err: '' });
  });
});

/** EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) of a SHA-256 digest, salt 32 bytes, then RSASP1: a real RSASSA-PSS
 * signature of a digest, as KMS makes it with MessageType DIGEST. */
function rsaPssSignDigest(privateKey: KeyObject, mHash: Buffer): Buffer {
  const modBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 2048;
  const emLen = Math.ceil((modBits - 1) / 8);
  const salt = randomBytes(32);
  const h = createHash('sha256')
    .update(Buffer.concat([Buffer.alloc(8), mHash, salt]))
    .digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 32 - 32 - 2), Buffer.from([1]), salt]);
  const mask: Buffer[] = [];
  for (let c = 0; Buffer.concat(mask).length < db.length; c++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c);
    mask.push(
      createHash('sha256')
        .update(Buffer.concat([h, counter]))
        .digest(),
    );
  }
  const dbMask = Buffer.concat(mask);
  const masked = Buffer.from(db.map((b, i) => b ^ dbMask[i]!));
  masked[0] = masked[0]! & (0xff >> (8 * emLen - (modBits - 1)));
  return privateEncrypt(
    { key: privateKey, padding: constants.RSA_NO_PADDING },
    Buffer.concat([masked, h, Buffer.from([0xbc])]),
  );
}

describe('report --sign-kms-key', () => {
  const ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('signs the SHA-256 digest of the PAE with KMS (RSASSA_PSS_SHA_256) and the KMS public key verifies it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
      KeyId: ARN,
      Signature: rsaPssSignDigest(privateKey, Buffer.from(input.Message)),
      SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    }));
    const r = await cli([
      ...REPORT,
      '--output',
      'pack',
      '--sign-kms-key',
      ARN,
      '--sign-kms-algorithm',
      'RSASSA_PSS_SHA_256',
    ]);
    expect(r.code).toBe(1);
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({ KeyId: ARN, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
    expect(input.Message).toHaveLength(32);
    const env = JSON.parse(fs.readFileSync(path.join(tmp, 'pack', 'attestation.dsse.json'), 'utf8')) as {
      signatures: { keyid: string }[];
    };
    expect(env.signatures.map((s) => s.keyid)).toEqual([ARN]);
    const pub = writeKey('kms.pub.pem', publicKey, 'spki');
    const v = await cli(['attest', 'verify', 'pack', '--public-key', pub]);
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
  });

  test('ECDSA_SHA_256 by default; a KMS signature that does not verify is refused', async () => {
    kms
      .on(SignCommand)
      .resolves({ KeyId: ARN, Signature: Buffer.from('3006020101020101', 'hex'), SigningAlgorithm: 'ECDSA_SHA_256' });
    await cli([...REPORT, '--output', 'pack', '--sign-kms-key', ARN]);
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toMatchObject({
      SigningAlgorithm: 'ECDSA_SHA_256',
      MessageType: 'DIGEST',
    });
    const pub = writeKey('ec.pub.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'spki');
    const v = await cli(['attest', 'verify', 'pack', '--public-key', pub]);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`no signature verifies with the given public key (signed by ${ARN})`);
  });

  test('a KMS error exits 2 with its name and writes nothing', async () => {
    kms
      .on(SignCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: kms:Sign'), { name: 'AccessDeniedException' }),
      );
    const r = await cli([...REPORT, '--output', 'pack', '--sign-kms-key', ARN]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'exclusive-desk report: cannot sign the pack: AccessDeniedException: User is not authorized to perform: kms:Sign\n',
    );
    expect(fs.existsSync(path.join(tmp, 'pack'))).toBe(false);
  });

  test.each([
    [['--sign-kms-key', 'my-key'], /--sign-kms-key must be a KMS key or alias ARN/],
    [
      ['--sign-kms-key', ARN, '--sign-kms-algorithm', 'RSASSA_PKCS1_V1_5_SHA_256'],
      /--sign-kms-algorithm must be one of ECDSA_SHA_256, RSASSA_PSS_SHA_256/,
    ],
    [['--sign-kms-algorithm', 'ECDSA_SHA_256'], /--sign-kms-algorithm needs --sign-kms-key/],
    [['--sign-kms-key', ARN, '--sign-key', 'k.pem'], /give --sign-key or --sign-kms-key, not both/],
  ])('bad KMS flags exit 2: %j', async (flags, message) => {
    const r = await cli([...REPORT, '--output', 'pack', ...flags]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });
});
