/**
 * DSSE, the Dead Simple Signing Envelope (https://github.com/secure-systems-lab/dsse, protocol.md v1.0.0 and
 * envelope.md), implemented from the specification: no maintained DSSE package for Node is installed, and the format
 * is small. The test checks it against the specification's published test vectors.
 *
 *   SIGNATURE = Sign(PAE(UTF8(PAYLOAD_TYPE), SERIALIZED_BODY))
 *   PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
 *   LEN(s) = ASCII decimal byte length of s, no leading zeros
 *
 * The JSON envelope is `{ payload: Base64(SERIALIZED_BODY), payloadType, signatures: [{ keyid, sig: Base64(SIG) }] }`.
 * Signers may use standard or URL-safe base64; verifiers MUST accept either (protocol.md, "Protocol"). KEYID is an
 * unauthenticated hint and is never used for a security decision: every signature is checked against the key given.
 */

/** The JSON envelope (envelope.md). */
export interface DsseEnvelope {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly DsseSignature[];
}

export interface DsseSignature {
  /** Optional, unauthenticated hint naming the key. */
  readonly keyid?: string;
  /** Base64 of the signature over PAE(payloadType, payload). */
  readonly sig: string;
}

/** Something that signs bytes: a local key or a KMS key. */
export interface DsseSigner {
  readonly keyid: string;
  sign(message: Buffer): Promise<Buffer>;
}

/** Checks one signature over a message (PAE bytes) with a trusted key. */
export type DsseVerifier = (message: Buffer, signature: Buffer) => boolean;

/** The Pre-Authentication Encoding of DSSE v1 (protocol.md, "Signature Definition"). */
export function pae(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${body.length} `, 'ascii'),
    Buffer.from(body),
  ]);
}

/** Signs a payload and returns the JSON envelope. */
export async function signEnvelope(
  payloadType: string,
  body: Uint8Array,
  signers: readonly DsseSigner[],
): Promise<DsseEnvelope> {
  const message = pae(payloadType, body);
  const signatures: DsseSignature[] = [];
  for (const s of signers) signatures.push({ keyid: s.keyid, sig: (await s.sign(message)).toString('base64') });
  return { payload: Buffer.from(body).toString('base64'), payloadType, signatures };
}

/** Why an envelope could not even be read (bad input, not a failed verification). */
export class EnvelopeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeFormatError';
  }
}

/** Decodes standard or URL-safe base64, strictly: anything else is a format error. */
export function decodeBase64(value: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1)
    throw new EnvelopeFormatError(`${what} is not base64`);
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Checks the shape of a parsed envelope (envelope.md); throws EnvelopeFormatError naming the field. */
export function parseEnvelope(data: unknown): DsseEnvelope {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new EnvelopeFormatError('the envelope is not a JSON object');
  const o = data as Record<string, unknown>;
  if (typeof o.payload !== 'string') throw new EnvelopeFormatError('payload must be a base64 string');
  if (typeof o.payloadType !== 'string') throw new EnvelopeFormatError('payloadType must be a string');
  if (!Array.isArray(o.signatures) || o.signatures.length === 0)
    throw new EnvelopeFormatError('signatures must be a non-empty array');
  const signatures = o.signatures.map((s: unknown, i): DsseSignature => {
    const sig = s && typeof s === 'object' ? (s as Record<string, unknown>) : {};
    if (typeof sig.sig !== 'string') throw new EnvelopeFormatError(`signatures[${i}].sig must be a base64 string`);
    if (sig.keyid !== undefined && typeof sig.keyid !== 'string')
      throw new EnvelopeFormatError(`signatures[${i}].keyid must be a string`);
    return { sig: sig.sig, ...(typeof sig.keyid === 'string' ? { keyid: sig.keyid } : {}) };
  });
  decodeBase64(o.payload, 'payload');
  return { payload: o.payload, payloadType: o.payloadType, signatures };
}

export interface EnvelopeVerification {
  /** Signatures accepted by at least one trusted key, and which keys accepted them. */
  readonly acceptedKeys: number;
  /** The payload type is one the caller supports. */
  readonly supportedType: boolean;
  /** The decoded SERIALIZED_BODY. */
  readonly body: Buffer;
  /** Both hold, with at least `threshold` distinct keys. */
  readonly valid: boolean;
}

/**
 * Verifies a (t, n) envelope (protocol.md, "Multi-signature Verification"): each signature is checked against every
 * trusted key (KEYID is not used to decide); the envelope is valid when at least `threshold` distinct trusted keys
 * accepted a signature and its payload type is supported.
 */
export function verifyEnvelope(
  envelope: DsseEnvelope,
  trusted: readonly DsseVerifier[],
  supportedTypes: readonly string[],
  threshold = 1,
): EnvelopeVerification {
  const body = decodeBase64(envelope.payload, 'payload');
  const message = pae(envelope.payloadType, body);
  const accepted = new Set<number>();
  for (const s of envelope.signatures) {
    const sig = decodeBase64(s.sig, 'signature');
    trusted.forEach((verify, i) => {
      if (!accepted.has(i) && safeVerify(verify, message, sig)) accepted.add(i);
    });
  }
  const supportedType = supportedTypes.includes(envelope.payloadType);
  return { acceptedKeys: accepted.size, supportedType, body, valid: accepted.size >= threshold && supportedType };
}

function safeVerify(verify: DsseVerifier, message: Buffer, sig: Buffer): boolean {
  try {
    return verify(message, sig);
  } catch {
    return false; // a malformed signature (wrong length, bad DER) is a signature that does not verify
  }
}
