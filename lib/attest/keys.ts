/**
 * Keys that sign and verify evidence attestations: an Ed25519 private key in a PEM file (node:crypto), or an AWS KMS
 * asymmetric signing key, and the public keys (PEM) that verify them.
 *
 * KMS Sign (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html): a RAW message can be at most 4096
 * bytes, so the signer sends the SHA-256 digest of the DSSE PAE with `MessageType: DIGEST` ("use DIGEST for message
 * digests, which are already hashed"; its length must match the signing algorithm's hash). `ECDSA_SHA_256` returns a
 * DER-encoded signature (ANSI X9.62-2005, RFC 3279 section 2.2.3); the RSA algorithms return a PKCS #1 (RFC 8017)
 * signature. Either verifies with the KMS key's public key (kms:GetPublicKey, or `aws kms get-public-key`) exported
 * as PEM, over the PAE itself, exactly as a local key's signature does.
 */
import { createHash, createPrivateKey, createPublicKey, constants, sign, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { KMSClient, SignCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import type { DsseSigner, DsseVerifier } from './dsse';

/** A key that cannot be used (unreadable file, not PEM, wrong type): bad input. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** The KEYID hint of a public key: `sha256:` + SHA-256 of its DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')}`;
}

function readPem(file: string, flag: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeyError(`${flag} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!/-----BEGIN [A-Z ]+-----/.test(text))
    throw new KeyError(`${flag} ${file}: not a PEM file (no -----BEGIN ... ----- line)`);
  return text;
}

/** Loads an Ed25519 private key (PKCS #8 PEM) and returns a DSSE signer for it. */
export function ed25519Signer(file: string): DsseSigner & { readonly publicKey: KeyObject } {
  const pem = readPem(file, '--sign-key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new KeyError(`--sign-key ${file}: not a private key in PEM (PKCS #8, "BEGIN PRIVATE KEY")`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new KeyError(
      `--sign-key ${file}: an Ed25519 key is required, got ${key.asymmetricKeyType ?? 'an unknown key type'}`,
    );
  const publicKey = createPublicKey(key);
  return { keyid: keyIdOf(publicKey), publicKey, sign: (message) => Promise.resolve(sign(null, message, key)) };
}

/** The KMS signing algorithms a signer may use (ECDSA on NIST P-256, or RSASSA-PSS, both with SHA-256). */
export const KMS_SIGNING_ALGORITHMS = ['ECDSA_SHA_256', 'RSASSA_PSS_SHA_256'] as const;
export type KmsSigningAlgorithm = (typeof KMS_SIGNING_ALGORITHMS)[number];

/** A signer backed by an AWS KMS asymmetric key (KeyUsage SIGN_VERIFY); its keyid is the key ARN as given. */
export function kmsSigner(client: KMSClient, keyId: string, algorithm: KmsSigningAlgorithm): DsseSigner {
  return {
    keyid: keyId,
    async sign(message) {
      const digest = createHash('sha256').update(message).digest();
      const out = await client.send(
        new SignCommand({
          KeyId: keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: algorithm satisfies SigningAlgorithmSpec,
        }),
      );
      if (!out.Signature || out.Signature.length === 0)
        throw new KeyError(`KMS Sign with ${keyId} returned no signature`);
      return Buffer.from(out.Signature);
    },
  };
}

/** Loads a public key (SPKI PEM; a certificate or private key PEM gives its public key) for verification. */
export function loadPublicKey(file: string): KeyObject {
  const pem = readPem(file, '--public-key');
  try {
    return createPublicKey(pem);
  } catch {
    throw new KeyError(`--public-key ${file}: not a public key in PEM ("BEGIN PUBLIC KEY")`);
  }
}

/** What a public key verifies: Ed25519 (pure), ECDSA with SHA-256 (DER, as KMS returns it), RSASSA-PSS with SHA-256. */
export function verifierFor(key: KeyObject): DsseVerifier {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return (message, sig) => verify(null, message, key, sig);
    case 'ec':
      return (message, sig) => verify('sha256', message, { key, dsaEncoding: 'der' }, sig);
    case 'rsa':
    case 'rsa-pss':
      return (message, sig) =>
        verify(
          'sha256',
          message,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
          sig,
        );
    default:
      throw new KeyError(
        `the public key is ${key.asymmetricKeyType ?? 'of an unknown type'}; allowed: ed25519, ec (P-256, ECDSA_SHA_256), rsa (RSASSA_PSS_SHA_256)`,
      );
  }
}
