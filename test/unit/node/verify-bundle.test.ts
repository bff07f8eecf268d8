import { generateKeyPairSync } from 'node:crypto';
import {
  BUNDLE_PAYLOAD_TYPE,
  BootstrapBundleV1,
  BundleVerification,
  NodeTrustError,
  NodeTrustErrorCode as Code,
  SignedEnvelope,
  pae,
  parseEnvelope,
  renderBundlePayload,
  spkiPin,
  validateBundle,
  verifyBundle,
} from '../../../lib/node';
import { envelopeFor, makeBundle, makeTrustMaterial } from './helpers/bundles';
import { TestSigner } from './helpers/signer';
import { makeCertificate } from './helpers/x509';

const NOW = new Date('2026-02-01T00:00:00Z');
const signer = new TestSigner();
const trusted = signer.set([1, 'grace', '2026-02-10T00:00:00Z'], [2, 'active'], [3, 'next']);
const m = makeTrustMaterial();

function bundle(overrides: Partial<Parameters<typeof makeBundle>[0]> = {}): BootstrapBundleV1 {
  return makeBundle({
    verifiers: trusted,
    roots: [
      { cert: m.rootNew, state: 'current' },
      { cert: m.rootOld, state: 'previous', until: '2026-03-01T00:00:00Z' },
    ],
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    sequence: 7,
    ...overrides,
  });
}

/** A JSON-level copy of the valid bundle, for hand edits. */
const editable = (): any => JSON.parse(JSON.stringify(bundle()));
const reasonOf = (r: BundleVerification) => (r.ok ? 'ok' : r.reason);
const verify = (env: SignedEnvelope | string, engine: 'node' | 'noble' = 'node', now = NOW) =>
  verifyBundle(env, trusted, now, { engine });

describe('pae', () => {
  test('GIVEN the DSSE specification example WHEN encoded THEN the bytes match', () => {
    expect(Buffer.from(pae('http://example.com/HelloWorld', Buffer.from('hello world'))).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  test('GIVEN multi-byte UTF-8 type and body WHEN encoded THEN the lengths are byte counts', () => {
    expect(Buffer.from(pae('é', Buffer.from('ü€'))).toString()).toBe('DSSEv1 2 é 5 ü€');
    expect(Buffer.from(pae('', new Uint8Array(0))).toString()).toBe('DSSEv1 0  0 ');
  });
});

describe.each(['node', 'noble'] as const)('verifyBundle: accepted (engine %s)', (engine) => {
  test('GIVEN a bundle signed by the active version WHEN verified THEN the bundle, root pins and signer come back', () => {
    const b = bundle();
    const r = verify(envelopeFor(renderBundlePayload(b), signer, 2), engine);
    if (!r.ok) throw new Error(r.detail);
    expect(r.bundle).toEqual(b);
    expect(r.roots).toEqual([
      { pin: spkiPin(m.rootNew.pem), state: 'current' },
      { pin: spkiPin(m.rootOld.pem), state: 'previous', until: '2026-03-01T00:00:00Z' },
    ]);
    expect(r.signer).toEqual({ version: 2, kid: signer.kid(2), state: 'active' });
  });

  test('GIVEN a bundle signed by the next version, or a grace version before until WHEN verified THEN it is accepted', () => {
    expect(verify(envelopeFor(bundle(), signer, 3), engine).ok).toBe(true);
    expect(verify(envelopeFor(bundle(), signer, 1), engine).ok).toBe(true);
  });

  test('GIVEN a grace version WHEN verified after its until THEN it is refused', () => {
    expect(reasonOf(verify(envelopeFor(bundle(), signer, 1), engine, new Date('2026-02-10T00:00:00Z')))).toBe(
      'grace-expired',
    );
  });
});

describe('verifyBundle: envelope and signature refusals', () => {
  test('GIVEN the envelope as JSON text WHEN verified THEN it is accepted like the object', () => {
    expect(verify(JSON.stringify(envelopeFor(bundle(), signer, 2))).ok).toBe(true);
  });

  test('GIVEN a payload changed after signing WHEN verified THEN it is refused as bad-signature', () => {
    const env = envelopeFor(bundle(), signer, 2);
    const tampered = Buffer.from(env.payload, 'base64').toString().replace('"sequence":7', '"sequence":8');
    expect(reasonOf(verify({ ...env, payload: Buffer.from(tampered).toString('base64') }))).toBe('bad-signature');
  });

  test('GIVEN another payloadType (signed as such) WHEN verified THEN it is refused as wrong-payload-type', () => {
    expect(reasonOf(verify(envelopeFor(bundle(), signer, 2, { payloadType: 'application/json' })))).toBe(
      'wrong-payload-type',
    );
  });

  test('GIVEN a signature over PAE with another type than the envelope declares WHEN verified THEN it is refused as bad-signature', () => {
    expect(reasonOf(verify(envelopeFor(bundle(), signer, 2, { signedType: 'application/json' })))).toBe(
      'bad-signature',
    );
  });

  test('GIVEN a bundle signed by a version the node does not trust WHEN verified THEN it is refused', () => {
    expect(reasonOf(verify(envelopeFor(bundle(), signer, 4)))).toBe('unknown-version');
    const stranger = new TestSigner();
    expect(reasonOf(verify(envelopeFor(bundle(), stranger, 2, { keyid: signer.kid(2) })))).toBe('bad-signature');
  });

  test('GIVEN a keyid that is not the kid of the signing version WHEN verified THEN it is refused as keyid-mismatch', () => {
    expect(reasonOf(verify(envelopeFor(bundle(), signer, 2, { keyid: signer.kid(3) })))).toBe('keyid-mismatch');
  });

  test('GIVEN two signatures, an unknown one first WHEN verified THEN the trusted one is used', () => {
    const good = envelopeFor(bundle(), signer, 2);
    const unknown = envelopeFor(bundle(), signer, 9).signatures[0];
    const r = verify({ ...good, signatures: [unknown, ...good.signatures] });
    expect(r.ok && r.signer.version).toBe(2);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['an array', []],
    ['text that is not JSON', '{"payloadType":'],
    ['a missing payload', { payloadType: BUNDLE_PAYLOAD_TYPE, signatures: [] }],
    ['no signatures', { payloadType: BUNDLE_PAYLOAD_TYPE, payload: 'e30=', signatures: [] }],
    [
      'nine signatures',
      { payloadType: BUNDLE_PAYLOAD_TYPE, payload: 'e30=', signatures: Array(9).fill({ keyid: 'k', sig: 's' }) },
    ],
    ['a signature without keyid', { payloadType: BUNDLE_PAYLOAD_TYPE, payload: 'e30=', signatures: [{ sig: 's' }] }],
    [
      'an extra envelope field',
      { payloadType: BUNDLE_PAYLOAD_TYPE, payload: 'e30=', signatures: [{ keyid: 'k', sig: 's' }], x: 1 },
    ],
    [
      'non-canonical base64',
      { payloadType: BUNDLE_PAYLOAD_TYPE, payload: 'e31=', signatures: [{ keyid: 'k', sig: 's' }] },
    ],
    ['URL-safe base64', { payloadType: BUNDLE_PAYLOAD_TYPE, payload: '-_8=', signatures: [{ keyid: 'k', sig: 's' }] }],
  ])('GIVEN an envelope that is %s WHEN verified THEN it is refused as malformed-envelope', (_, env) => {
    expect(reasonOf(verify(env as never))).toBe('malformed-envelope');
  });

  test('GIVEN a malformed signature string WHEN verified THEN it is refused as malformed-signature', () => {
    const env = envelopeFor(bundle(), signer, 2);
    expect(reasonOf(verify({ ...env, signatures: [{ keyid: signer.kid(2), sig: `${env.signatures[0].sig} ` }] }))).toBe(
      'malformed-signature',
    );
  });

  test('GIVEN signed bytes that are not UTF-8 JSON WHEN verified THEN it is refused as invalid-payload', () => {
    expect(reasonOf(verify(envelopeFor(Uint8Array.of(0xff, 0xfe, 0x7b), signer, 2)))).toBe('invalid-payload');
    expect(reasonOf(verify(envelopeFor('{"schema":', signer, 2)))).toBe('invalid-payload');
  });

  test('GIVEN a trusted verifier set that does not validate WHEN verifying THEN it is refused as invalid-verifier-set', () => {
    expect(reasonOf(verifyBundle(envelopeFor(bundle(), signer, 2), '{}', NOW))).toBe('invalid-verifier-set');
  });

  test('GIVEN an envelope verified once WHEN verified again with other trust or at a later time THEN the signature is checked again', () => {
    const env = envelopeFor(bundle(), signer, 1);
    expect(verify(env).ok).toBe(true);
    expect(verify(env).ok).toBe(true);
    expect(reasonOf(verifyBundle(env, signer.set([2, 'active']), NOW))).toBe('unknown-version');
    expect(reasonOf(verify(env, 'node', new Date('2026-02-10T00:00:00Z')))).toBe('grace-expired');
    expect(reasonOf(verify({ ...env, signatures: [{ ...env.signatures[0], keyid: signer.kid(2) }] }))).toBe(
      'keyid-mismatch',
    );
  });

  test('GIVEN a signed invalid bundle WHEN verified twice THEN it is refused the same way both times', () => {
    const env = envelopeFor(JSON.stringify({ ...editable(), sequence: 0 }), signer, 2);
    const first = verify(env);
    expect(reasonOf(first)).toBe('invalid-bundle');
    expect(verify(env)).toEqual(first);
  });

  test('GIVEN parseEnvelope WHEN given a valid envelope THEN the payload is decoded', () => {
    const env = envelopeFor('{"a":1}', signer, 2);
    expect(parseEnvelope(env).payload.toString()).toBe('{"a":1}');
  });
});

describe('verifyBundle: payload refusals (signed by a trusted key)', () => {
  const signed = (value: unknown) => verify(envelopeFor(JSON.stringify(value), signer, 2));
  const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

  test.each<[string, (b: any) => unknown]>([
    ['a PEM private key among the node-cert PEMs', (b) => (b.node_cert_trust.pems.push(privateKeyPem), b)],
    ['a PEM private key appended to a root', (b) => ((b.public_https_trust.roots[0].pem += privateKeyPem), b)],
    [
      'a Vault service token in the URL',
      (b) => ((b.control_plane.url = 'https://cp.example.internal/?t=hvs.CAESIJ2xq8gQ7p1Hc0fZmW3kL9aB'), b),
    ],
    ['a legacy Vault token', (b) => ((b.environment = 's.Z3kq8PfYJ0wB1xHc7LmN2aVd'), b)],
    ['a batch token', (b) => ((b.control_plane.url = 'https://cp.example.internal/b.AAAAAQKx9Lm3Qz7pW2hVb8sNc0dE'), b)],
    ['a VAULT_ADDR field', (b) => ((b.env.VAULT_ADDR = 'https://vault.internal:8200'), b)],
    ['a VAULT_TOKEN value', (b) => ((b.control_plane.url = 'https://cp.example.internal/VAULT_TOKEN'), b)],
    ['an AppRole secret_id field', (b) => ((b.control_plane.secret_id = '6a174c20-f6de-a53c-74d2-6018fcceff64'), b)],
    ['an AppRole role_id field', (b) => ((b.role_id = '675a50e7-cfe0-be76-e35f-49ec009731ea'), b)],
    ['credentials in the URL', (b) => ((b.control_plane.url = 'https://node:pa55@cp.example.internal'), b)],
  ])('GIVEN a bundle with %s WHEN verified THEN it is refused as secret-material', (_, edit) => {
    const r = signed(edit(editable()));
    expect(reasonOf(r)).toBe('secret-material');
    expect(r.ok ? '' : r.detail).not.toMatch(/hvs\.|pa55|PRIVATE KEY-----\n/);
  });

  const invalid: [string, (b: any) => unknown, RegExp][] = [
    ['another schema', (b) => ((b.schema = 'cdktf-platform-trust/bootstrap-bundle/v2'), b), /schema/],
    ['an unknown field', (b) => ((b.comment = 'x'), b), /unknown field/],
    ['a missing env', (b) => (delete b.env, b), /env: is missing/],
    ['sequence 0', (b) => ((b.sequence = 0), b), /sequence/],
    ['a fractional sequence', (b) => ((b.sequence = 1.5), b), /sequence/],
    ['an upper-case environment', (b) => ((b.environment = 'Prod'), b), /environment/],
    ['an http URL', (b) => ((b.control_plane.url = 'http://cp.example.internal'), b), /https URL/],
    [
      'the same path for both CA bundles',
      (b) => ((b.node_cert_trust.path = b.env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH = b.public_https_trust.path), b),
      /must be distinct/,
    ],
    [
      'the same path for the verifier file',
      (b) => ((b.task_verifiers.path = b.node_cert_trust.path), b),
      /must be distinct/,
    ],
    ['a relative path', (b) => ((b.task_verifiers.path = 'etc/x.json'), b), /absolute, normalized/],
    ['a path with ".."', (b) => ((b.task_verifiers.path = '/etc/gpuaas/../x.json'), b), /absolute, normalized/],
    [
      'env path out of step',
      (b) => ((b.env.GPUAAS_CA_BUNDLE_PATH = '/etc/other.pem'), b),
      /must equal public_https_trust.path/,
    ],
    [
      'a pretty-printed GPUAAS_TASK_SIGNING_PUBKEYS',
      (b) => ((b.env.GPUAAS_TASK_SIGNING_PUBKEYS = JSON.stringify(b.task_verifiers.set, null, 2)), b),
      /compact rendering/,
    ],
    ['an invalid verifier set', (b) => ((b.task_verifiers.set.keys[0].kid = 'x'), b), /kid/],
    [
      'a public root also in the node-cert bundle',
      (b) => (b.node_cert_trust.pems.push(b.public_https_trust.roots[0].pem), b),
      /never mix/,
    ],
    [
      'no current root',
      (b) => ((b.public_https_trust.roots[0].state = 'next'), b),
      /exactly one root must be "current"/,
    ],
    ['a previous root without until', (b) => (delete b.public_https_trust.roots[1].until, b), /overlap end/],
    [
      'a current root with until',
      (b) => ((b.public_https_trust.roots[0].until = '2026-03-01T00:00:00Z'), b),
      /no overlap end/,
    ],
    [
      'the same root twice',
      (b) => (b.public_https_trust.roots.push({ ...b.public_https_trust.roots[1] }), b),
      /duplicates/,
    ],
    [
      'two certificates in one root field',
      (b) => ((b.public_https_trust.roots[0].pem += b.public_https_trust.roots[1].pem), b),
      /exactly one/,
    ],
    [
      'an intermediate as a root',
      (b) => ((b.public_https_trust.roots[1].pem = m.nodeIntermediate.pem), b),
      /self-signed CA root/,
    ],
    [
      'a leaf in the node-cert bundle',
      (b) => (
        b.node_cert_trust.pems.push(
          makeCertificate({ commonName: 'gpu-node-1', ca: false, issuer: m.nodeIntermediate }).pem,
        ),
        b
      ),
      /not a CA certificate/,
    ],
    [
      'garbage in a PEM body',
      (b) => ((b.node_cert_trust.pems[0] = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), b),
      /not an X.509 certificate/,
    ],
    ['no node-cert PEMs', (b) => ((b.node_cert_trust.pems = []), b), /pems/],
  ];

  test.each(invalid)('GIVEN a bundle with %s WHEN verified THEN it is refused as invalid-bundle', (_, edit, detail) => {
    const r = signed(edit(editable()));
    expect(reasonOf(r)).toBe('invalid-bundle');
    expect(r.ok ? '' : r.detail).toMatch(detail);
  });

  test('GIVEN the same bundle WHEN validated directly THEN validateBundle accepts it and throws NodeTrustError for the broken ones', () => {
    expect(validateBundle(editable())).toEqual(bundle());
    const broken = editable();
    broken.node_cert_trust.pems.push(broken.public_https_trust.roots[0].pem);
    expect(() => validateBundle(broken)).toThrow(NodeTrustError);
    try {
      validateBundle(broken);
    } catch (e) {
      expect((e as NodeTrustError).code).toBe(Code.MIXED_TRUST);
    }
  });

  test('GIVEN a bundle whose JSON fields are in another order WHEN verified THEN it is accepted (the signature covers the bytes)', () => {
    const b = editable();
    const reordered = {
      env: b.env,
      task_verifiers: b.task_verifiers,
      node_cert_trust: b.node_cert_trust,
      public_https_trust: b.public_https_trust,
      control_plane: b.control_plane,
      sequence: b.sequence,
      environment: b.environment,
      schema: b.schema,
    };
    expect(signed(reordered).ok).toBe(true);
  });
});
