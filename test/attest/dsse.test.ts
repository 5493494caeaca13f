/**
 * DSSE against the specification's own test vectors (github.com/secure-systems-lab/dsse): the example of protocol.md
 * v1.0.0 (ECDSA P-256, raw r||s) and testvectors/vectors.json (Ed25519 keys A and B are RFC 8032 section 7.1
 * test 1 and test 2), each checked for its published PAE bytes and its accept/reject outcome.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import {
  decodeBase64,
  EnvelopeFormatError,
  pae,
  parseEnvelope,
  signEnvelope,
  verifyEnvelope,
  type DsseEnvelope,
} from '../../lib/attest/dsse';
import { keyIdOf, verifierFor } from '../../lib/attest/keys';

const ed25519Public = (hex: string) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
const ed25519Private = (seed: string) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });

const KEYS = {
  A: {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  },
  B: {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  },
};
const STATEMENT = 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==';
const INTOTO = 'application/vnd.in-toto+json';
const PAE_INTOTO =
  '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d';
const SIG_A = '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==';
const SIG_B = 'c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==';

interface Vector {
  id: string;
  envelope: DsseEnvelope;
  trusted: ('A' | 'B')[];
  threshold: number;
  supported: string[];
  /** The PAE the signature covers (the vector's `pae`); differs from the envelope's when the type was swapped. */
  pae: string;
  signedType?: string;
  expect: 'accept' | 'reject';
}

const VECTORS: Vector[] = [
  {
    id: 'single-signature',
    envelope: { payload: STATEMENT, payloadType: INTOTO, signatures: [{ sig: SIG_A, keyid: 'A' }] },
    trusted: ['A'],
    threshold: 1,
    supported: [INTOTO],
    pae: PAE_INTOTO,
    expect: 'accept',
  },
  {
    id: 'url-safe-base64',
    envelope: {
      payload: '-_-_Pj8=',
      payloadType: INTOTO,
      signatures: [
        { sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==', keyid: 'A' },
      ],
    },
    trusted: ['A'],
    threshold: 1,
    supported: [INTOTO],
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f',
    expect: 'accept',
  },
  {
    id: 'payload-type-swapped',
    envelope: {
      payload: STATEMENT,
      payloadType: 'application/vnd.example.other+json',
      signatures: [{ sig: SIG_A, keyid: 'A' }],
    },
    trusted: ['A'],
    threshold: 1,
    supported: [INTOTO, 'application/vnd.example.other+json'],
    pae: PAE_INTOTO,
    signedType: INTOTO,
    expect: 'reject',
  },
  {
    id: 'non-ascii-payload-type',
    envelope: {
      payload: STATEMENT,
      payloadType: 'application/vnd.exämple+json',
      signatures: [
        { sig: 'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==', keyid: 'A' },
      ],
    },
    trusted: ['A'],
    threshold: 1,
    supported: ['application/vnd.exämple+json'],
    pae: '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
    expect: 'accept',
  },
  {
    id: 'empty-payload',
    envelope: {
      payload: '',
      payloadType: INTOTO,
      signatures: [
        { sig: 'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==', keyid: 'A' },
      ],
    },
    trusted: ['A'],
    threshold: 1,
    supported: [INTOTO],
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020',
    expect: 'accept',
  },
  {
    id: 'empty-payload-type',
    envelope: {
      payload: STATEMENT,
      payloadType: '',
      signatures: [
        { sig: 'iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==', keyid: 'A' },
      ],
    },
    trusted: ['A'],
    threshold: 1,
    supported: [INTOTO],
    pae: '445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
    expect: 'reject',
  },
  {
    id: 'threshold-two-distinct-keys',
    envelope: {
      payload: STATEMENT,
      payloadType: INTOTO,
      signatures: [
        { sig: SIG_A, keyid: 'A' },
        { sig: SIG_B, keyid: 'B' },
      ],
    },
    trusted: ['A', 'B'],
    threshold: 2,
    supported: [INTOTO],
    pae: PAE_INTOTO,
    expect: 'accept',
  },
  {
    id: 'threshold-two-one-key-twice',
    envelope: {
      payload: STATEMENT,
      payloadType: INTOTO,
      signatures: [
        { sig: SIG_A, keyid: 'A' },
        { sig: SIG_A, keyid: 'A' },
      ],
    },
    trusted: ['A', 'B'],
    threshold: 2,
    supported: [INTOTO],
    pae: PAE_INTOTO,
    expect: 'reject',
  },
  {
    id: 'threshold-two-without-keyids',
    envelope: { payload: STATEMENT, payloadType: INTOTO, signatures: [{ sig: SIG_A }, { sig: SIG_B }] },
    trusted: ['A', 'B'],
    threshold: 2,
    supported: [INTOTO],
    pae: PAE_INTOTO,
    expect: 'accept',
  },
];

describe('DSSE (secure-systems-lab/dsse test vectors)', () => {
  test('the derived public keys are the published ones', () => {
    for (const k of Object.values(KEYS))
      expect(
        createPublicKey(ed25519Private(k.seed)).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'),
      ).toBe(k.public);
  });

  test.each(VECTORS)('$id: PAE bytes and $expect', (v) => {
    const body = decodeBase64(v.envelope.payload, 'payload');
    expect(pae(v.signedType ?? v.envelope.payloadType, body).toString('hex')).toBe(v.pae);
    const trusted = v.trusted.map((k) => verifierFor(ed25519Public(KEYS[k].public)));
    const result = verifyEnvelope(parseEnvelope(v.envelope), trusted, v.supported, v.threshold);
    expect(result.valid).toBe(v.expect === 'accept');
  });

  test('signing with key A reproduces the published signature (Ed25519 is deterministic)', async () => {
    const key = ed25519Private(KEYS.A.seed);
    const env = await signEnvelope(INTOTO, Buffer.from(STATEMENT, 'base64'), [
      { keyid: 'A', sign: (m) => Promise.resolve(sign(null, m, key)) },
    ]);
    expect(env).toEqual({ payload: STATEMENT, payloadType: INTOTO, signatures: [{ keyid: 'A', sig: SIG_A }] });
  });

  test('the protocol.md example: PAE text and its ECDSA P-256 signature (r||s, converted to DER as KMS returns it)', () => {
    const p = pae('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(p.toString('utf8')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    const hex = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: hex(46950820868899156662930047687818585632848591499744589407958293238635476079160n),
        y: hex(5640078356564379163099075877009565129882514886557779369047442380624545832820n),
      },
      format: 'jwk',
    });
    const raw = Buffer.from(
      'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==',
      'base64',
    );
    const derInt = (b: Buffer) => {
      let v = b;
      while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
      if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
      return Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const body = Buffer.concat([derInt(raw.subarray(0, 32)), derInt(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const env: DsseEnvelope = {
      payload: 'aGVsbG8gd29ybGQ=',
      payloadType: 'http://example.com/HelloWorld',
      signatures: [{ sig: der.toString('base64') }],
    };
    expect(verifyEnvelope(env, [verifierFor(key)], ['http://example.com/HelloWorld']).valid).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyEnvelope(env, [verifierFor(other)], ['http://example.com/HelloWorld']).valid).toBe(false);
  });

  test.each([
    [{ payloadType: INTOTO, signatures: [{ sig: SIG_A }] }, 'payload must be a base64 string'],
    [{ payload: STATEMENT, signatures: [{ sig: SIG_A }] }, 'payloadType must be a string'],
    [{ payload: STATEMENT, payloadType: INTOTO, signatures: [] }, 'signatures must be a non-empty array'],
    [
      { payload: STATEMENT, payloadType: INTOTO, signatures: [{ keyid: 'A' }] },
      'signatures[0].sig must be a base64 string',
    ],
    [{ payload: 'not base64!', payloadType: INTOTO, signatures: [{ sig: SIG_A }] }, 'payload is not base64'],
    [[], 'the envelope is not a JSON object'],
  ])('rejects a malformed envelope: %j', (data, message) => {
    expect(() => parseEnvelope(data)).toThrow(new EnvelopeFormatError(message));
  });

  test('a truncated signature is a signature that does not verify, not a crash', () => {
    const env: DsseEnvelope = { payload: STATEMENT, payloadType: INTOTO, signatures: [{ sig: SIG_A.slice(0, 20) }] };
    expect(verifyEnvelope(env, [verifierFor(ed25519Public(KEYS.A.public))], [INTOTO]).valid).toBe(false);
  });

  test('keyid is sha256 of the DER SubjectPublicKeyInfo', () => {
    expect(keyIdOf(ed25519Public(KEYS.A.public))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyIdOf(ed25519Public(KEYS.A.public))).not.toBe(keyIdOf(ed25519Public(KEYS.B.public)));
  });
});
