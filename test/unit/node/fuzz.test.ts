import * as fc from 'fast-check';
import {
  BootstrapBundleV1,
  NodeTrustError,
  SignedEnvelope,
  acceptBundleUpdate,
  parseEnvelope,
  parseVerifierSet,
  renderVerifierSet,
  validateBundle,
  verifyBundle,
  verifyTask,
} from '../../../lib/node';
import { envelopeFor, makeBundle, makeTrustMaterial } from './helpers/bundles';
import { TestSigner } from './helpers/signer';

// Fuzz-style properties over malformed and hostile inputs: verification never throws and never
// accepts; parsers throw nothing but NodeTrustError.

const NOW = new Date('2026-02-01T00:00:00Z');
const signer = new TestSigner();
const attacker = new TestSigner(); // same key name and versions, different keys
const set = signer.set([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active'], [3, 'next']);
const setText = renderVerifierSet(set);
const m = makeTrustMaterial();
const bundle: BootstrapBundleV1 = makeBundle({
  verifiers: set,
  roots: [
    { cert: m.rootNew, state: 'current' },
    { cert: m.rootOld, state: 'previous', until: '2026-03-01T00:00:00Z' },
  ],
  nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
  sequence: 3,
});
const goodEnvelope = envelopeFor(bundle, signer, 2);
const goodEnvelopeText = JSON.stringify(goodEnvelope);
const task = 'task:{"op":"reboot","node":"gpu-node-9"}';
const RUNS = { numRuns: 600 };

/** Runs fn; a NodeTrustError counts as a clean refusal, anything else fails the property. */
function parsesOrRefuses(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NodeTrustError) return undefined;
    throw e;
  }
}

/** Replaces one character of a text. */
const mutateChar = (text: string) =>
  fc
    .record({ at: fc.nat(), code: fc.integer({ min: 0, max: 0x2fff }) })
    .map(({ at, code }) => {
      const i = at % text.length;
      return text.slice(0, i) + String.fromCharCode(code) + text.slice(i + 1);
    })
    .filter((t) => t !== text);

const signatureStrings = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc
    .tuple(fc.integer({ min: -5, max: 2 ** 32 }), fc.uint8Array({ maxLength: 70 }))
    .map(([v, b]) => `vault:v${v}:${Buffer.from(b).toString('base64')}`),
  fc
    .tuple(fc.constantFrom(1, 2, 3), fc.uint8Array({ minLength: 64, maxLength: 64 }))
    .map(([v, b]) => `vault:v${v}:${Buffer.from(b).toString('base64')}`),
  mutateChar(signer.sign(2, task)),
  fc.constantFrom(1, 2, 3).map((v) => attacker.sign(v, task)),
);

describe('fuzz: task verification', () => {
  test('GIVEN random and near-miss signature strings WHEN a task is verified THEN it never throws and never accepts', () => {
    fc.assert(
      fc.property(signatureStrings, fc.constantFrom<'node' | 'noble'>('node', 'noble'), (sig, engine) => {
        const r = verifyTask(set, task, sig, NOW, { engine });
        expect(r.ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('GIVEN random and mutated GPUAAS_TASK_SIGNING_PUBKEYS values WHEN parsed THEN only NodeTrustError is thrown; WHEN used with a forged signature THEN nothing is accepted', () => {
    const values = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      mutateChar(setText),
      mutateChar(renderVerifierSet(attacker.set([2, 'active']))),
    );
    fc.assert(
      fc.property(values, fc.constantFrom(1, 2, 3), (value, version) => {
        parsesOrRefuses(() => parseVerifierSet(value));
        const r = verifyTask(value, task, attacker.sign(version, task), NOW);
        // the attacker's key can only be accepted if the value names it, which a mutation of the signer's set cannot do
        if (r.ok)
          expect(parseVerifierSet(value).keys.some((k) => k.public_key === attacker.publicKeyB64(version))).toBe(true);
        expect(verifyTask(value, `${task}!`, signer.sign(2, task), NOW).ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('GIVEN arbitrary JS values as verifier set, message and signature WHEN verified THEN it never throws and never accepts', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (s, msg, sig) => {
        expect(verifyTask(s as never, msg as never, sig as never, NOW).ok).toBe(false);
      }),
      RUNS,
    );
  });
});

/** Every JSON path of a value, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

const BUNDLE_PATHS = paths(bundle).filter((p) => p.length > 0);

/** A structural edit of the bundle: replace, delete or add at a random path. */
const bundleEdit = fc
  .record({
    at: fc.constantFrom(...BUNDLE_PATHS),
    op: fc.constantFrom('replace', 'delete', 'add'),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        '',
        '/etc/gpuaas/trust/control-plane-ca.pem',
        m.rootOld.pem,
        m.nodeRoot.pem,
        'hvs.CAESIJ2xq8gQ7p1Hc0fZmW3kL9aB',
        0,
        -1,
        2 ** 53,
      ),
    ),
    key: fc.string({ maxLength: 12 }),
  })
  .map(({ at, op, value, key }) => {
    const copy = JSON.parse(JSON.stringify(bundle));
    let parent = copy;
    for (const k of at.slice(0, -1)) parent = parent[k];
    const last = at[at.length - 1];
    if (op === 'replace') parent[last] = value;
    else if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (Array.isArray(target)) target.push(value);
      else if (typeof target === 'object' && target !== null) target[key] = value;
      else parent[last] = [target, value];
    }
    return copy as unknown;
  });

describe('fuzz: bundle envelopes', () => {
  test('GIVEN random envelopes (arbitrary values, random JSON, random fields) WHEN verified THEN it never throws and never accepts', () => {
    const envelopes = fc.oneof(
      fc.anything(),
      fc.json({ maxDepth: 4 }),
      fc.record({
        payloadType: fc.oneof(fc.string(), fc.constant(goodEnvelope.payloadType)),
        payload: fc.oneof(
          fc.base64String(),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')),
          fc.constant(goodEnvelope.payload),
        ),
        signatures: fc.array(
          fc.record({ keyid: fc.oneof(fc.string(), fc.constant(signer.kid(2))), sig: signatureStrings }),
          { maxLength: 3 },
        ),
      }),
    );
    fc.assert(
      fc.property(envelopes, (env) => {
        expect(verifyBundle(env as never, set, NOW).ok).toBe(false);
        parsesOrRefuses(() => parseEnvelope(env));
      }),
      RUNS,
    );
  });

  test('GIVEN a valid envelope with one character changed WHEN verified THEN it never throws and never accepts', () => {
    expect(verifyBundle(goodEnvelopeText, set, NOW).ok).toBe(true);
    fc.assert(
      fc.property(mutateChar(goodEnvelopeText), fc.constantFrom<'node' | 'noble'>('node', 'noble'), (text, engine) => {
        expect(verifyBundle(text, set, NOW, { engine }).ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('GIVEN structurally edited bundles signed by an untrusted key WHEN verified or offered as an update THEN nothing is accepted', () => {
    fc.assert(
      fc.property(bundleEdit, fc.constantFrom(1, 2, 3), (edited, version) => {
        const env = envelopeFor(JSON.stringify(edited), attacker, version, { keyid: signer.kid(version) });
        expect(verifyBundle(env, set, NOW).ok).toBe(false);
        expect(acceptBundleUpdate({ bundle }, env, NOW).ok).toBe(false);
      }),
      RUNS,
    );
  });

  test('GIVEN structurally edited bundles signed by the trusted key WHEN verified THEN it never throws, and whatever is accepted satisfies every bundle rule', () => {
    fc.assert(
      fc.property(bundleEdit, (edited) => {
        parsesOrRefuses(() => validateBundle(edited));
        const r = verifyBundle(envelopeFor(JSON.stringify(edited), signer, 2), set, NOW);
        if (r.ok) {
          expect(validateBundle(r.bundle)).toEqual(r.bundle);
          const p = r.bundle;
          expect(new Set([p.public_https_trust.path, p.node_cert_trust.path, p.task_verifiers.path]).size).toBe(3);
          expect(p.env.GPUAAS_TASK_SIGNING_PUBKEYS).toBe(renderVerifierSet(p.task_verifiers.set));
          expect(r.roots).toHaveLength(p.public_https_trust.roots.length);
          expect(JSON.stringify(p)).not.toMatch(/hvs\.|PRIVATE KEY/);
        }
      }),
      RUNS,
    );
  });

  test('GIVEN random update envelopes WHEN offered to a node THEN it never throws and never accepts', () => {
    const envelopes = fc.oneof(
      fc.anything(),
      mutateChar(goodEnvelopeText),
      fc.constant(goodEnvelope as SignedEnvelope),
    );
    fc.assert(
      fc.property(envelopes, fc.option(fc.string(), { nil: undefined }), (env, pin) => {
        // goodEnvelope has the same sequence as the held bundle, so even it is refused
        expect(acceptBundleUpdate({ bundle }, env as never, NOW, { inUsePin: pin }).ok).toBe(false);
      }),
      RUNS,
    );
  });
});
