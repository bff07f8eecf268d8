import {
  BootstrapBundleV1,
  BundleUpdateResult,
  SignedEnvelope,
  VerifierSetV1,
  acceptBundleUpdate,
  renderVerifierSet,
  spkiPin,
} from '../../../lib/node';
import { BundleSpec, envelopeFor, makeBundle, makeTrustMaterial } from './helpers/bundles';
import { TestSigner } from './helpers/signer';
import { makeCertificate } from './helpers/x509';

const m = makeTrustMaterial();
const signer = new TestSigner();
const NOW = new Date('2026-02-01T00:00:00Z');
const OVERLAP_END = '2026-03-01T00:00:00Z';
const AFTER_OVERLAP = new Date('2026-03-01T00:00:00Z');

const reasonOf = (r: BundleUpdateResult) => (r.ok ? 'ok' : r.reason);

function build(
  verifiers: VerifierSetV1,
  sequence: number,
  roots: BundleSpec['roots'],
  extra: Partial<BundleSpec> = {},
): BootstrapBundleV1 {
  return makeBundle({ verifiers, sequence, roots, nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem], ...extra });
}

const currentRootOnly: BundleSpec['roots'] = [{ cert: m.rootOld, state: 'current' }];
/** Mid CA rotation: the new root is current, the old one stays until OVERLAP_END. */
const rotated: BundleSpec['roots'] = [
  { cert: m.rootNew, state: 'current' },
  { cert: m.rootOld, state: 'previous', until: OVERLAP_END },
];
const newRootOnly: BundleSpec['roots'] = [{ cert: m.rootNew, state: 'current' }];

describe('acceptBundleUpdate: signer and sequence', () => {
  // The node trusts v1 (active) and v2 (pre-published).
  const held = signer.set([1, 'active'], [2, 'next']);
  const current = { bundle: build(held, 5, currentRootOnly) };
  const nextSet = signer.set([1, 'grace', OVERLAP_END], [2, 'active'], [3, 'next']);
  const update = (sequence: number, version: number, extra: Partial<BundleSpec> = {}): SignedEnvelope =>
    envelopeFor(build(nextSet, sequence, currentRootOnly, extra), signer, version);

  test('GIVEN a higher sequence signed by the active version the node trusts WHEN offered THEN it is accepted', () => {
    const r = acceptBundleUpdate(current, update(6, 1), NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.bundle.sequence).toBe(6);
    expect(r.bundle.task_verifiers.set).toEqual(nextSet);
    expect(r.signer).toEqual({ version: 1, kid: signer.kid(1), state: 'active' });
    expect(r.roots.map((x) => x.pin)).toEqual([spkiPin(m.rootOld.pem)]);
  });

  test('GIVEN a bundle signed by the pre-published next version WHEN offered THEN it is accepted (activation needs no extra round-trip)', () => {
    expect(acceptBundleUpdate(current, update(6, 2), NOW, { engine: 'noble' }).ok).toBe(true);
  });

  test('GIVEN a bundle signed only by a key that the new bundle introduces WHEN offered THEN it is refused: only already-trusted keys vouch', () => {
    expect(reasonOf(acceptBundleUpdate(current, update(6, 3), NOW))).toBe('unknown-version');
  });

  test.each([
    ['a lower sequence', 4],
    ['the same sequence', 5],
  ])('GIVEN %s WHEN offered THEN it is refused as sequence-not-increasing', (_, seq) => {
    expect(reasonOf(acceptBundleUpdate(current, update(seq, 1), NOW))).toBe('sequence-not-increasing');
  });

  test('GIVEN a node that applied an update WHEN the same envelope is replayed THEN it is refused', () => {
    const env = update(6, 1);
    const first = acceptBundleUpdate(current, env, NOW);
    if (!first.ok) throw new Error(first.detail);
    expect(reasonOf(acceptBundleUpdate({ bundle: first.bundle }, env, NOW))).toBe('sequence-not-increasing');
    // and the older bundle cannot be replayed either
    expect(reasonOf(acceptBundleUpdate({ bundle: first.bundle }, envelopeFor(current.bundle, signer, 1), NOW))).toBe(
      'sequence-not-increasing',
    );
  });

  test('GIVEN a bundle for another environment WHEN offered THEN it is refused', () => {
    expect(reasonOf(acceptBundleUpdate(current, update(6, 1, { environment: 'prod' }), NOW))).toBe(
      'environment-mismatch',
    );
  });

  test('GIVEN the node holds its verifier set apart (as text) WHEN an update arrives THEN that set decides', () => {
    const onlyV2 = renderVerifierSet(signer.set([2, 'active']));
    expect(acceptBundleUpdate({ bundle: current.bundle, verifiers: onlyV2 }, update(6, 2), NOW).ok).toBe(true);
    expect(reasonOf(acceptBundleUpdate({ bundle: current.bundle, verifiers: onlyV2 }, update(6, 1), NOW))).toBe(
      'unknown-version',
    );
  });

  test('GIVEN a current bundle that does not validate WHEN an update arrives THEN it is refused as invalid-current', () => {
    const broken = { ...current.bundle, sequence: -1 };
    expect(reasonOf(acceptBundleUpdate({ bundle: broken }, update(6, 1), NOW))).toBe('invalid-current');
    expect(reasonOf(acceptBundleUpdate({ bundle: current.bundle, verifiers: '{}' }, update(6, 1), NOW))).toBe(
      'invalid-current',
    );
    expect(reasonOf(acceptBundleUpdate(null as never, update(6, 1), NOW))).toBe('invalid-current');
  });
});

describe('acceptBundleUpdate: retired and expiring signers', () => {
  // v1 retired (dropped), v2 in grace until OVERLAP_END, v3 active.
  const held = signer.set([2, 'grace', OVERLAP_END], [3, 'active']);
  const current = { bundle: build(held, 10, currentRootOnly) };
  const next = (version: number) => envelopeFor(build(held, 11, currentRootOnly), signer, version);

  test('GIVEN an update signed by a retired version WHEN offered THEN it is refused', () => {
    expect(reasonOf(acceptBundleUpdate(current, next(1), NOW))).toBe('unknown-version');
  });

  test('GIVEN an update signed by a grace version WHEN offered before and after its until THEN it is accepted, then refused', () => {
    expect(acceptBundleUpdate(current, next(2), NOW).ok).toBe(true);
    expect(reasonOf(acceptBundleUpdate(current, next(2), AFTER_OVERLAP))).toBe('grace-expired');
  });

  test('GIVEN a tampered update WHEN offered THEN it is refused', () => {
    const env = next(3);
    const payload = Buffer.from(env.payload, 'base64').toString().replace('"sequence":11', '"sequence":12');
    expect(
      reasonOf(acceptBundleUpdate(current, { ...env, payload: Buffer.from(payload).toString('base64') }, NOW)),
    ).toBe('bad-signature');
  });
});

describe('acceptBundleUpdate: control-plane roots and their overlap', () => {
  const set = signer.set([1, 'active']);
  const offer = (from: BundleSpec['roots'], to: BundleSpec['roots'], now: Date, inUsePin?: string) =>
    acceptBundleUpdate(
      { bundle: build(set, 1, from) },
      envelopeFor(build(set, 2, to), signer, 1),
      now,
      inUsePin ? { inUsePin } : undefined,
    );

  test('GIVEN a rotation in progress WHEN the update drops the previous root before its overlap ends THEN it is refused', () => {
    const r = offer(rotated, newRootOnly, NOW);
    expect(reasonOf(r)).toBe('root-dropped');
    expect(r.ok ? '' : r.detail).toContain(spkiPin(m.rootOld.pem));
  });

  test('GIVEN a rotation in progress WHEN the update drops the previous root after its overlap ended THEN it is accepted', () => {
    expect(offer(rotated, newRootOnly, AFTER_OVERLAP).ok).toBe(true);
  });

  test('GIVEN a current root WHEN an update replaces it outright THEN it is refused; demoting it to previous with a future overlap end is accepted', () => {
    expect(reasonOf(offer(currentRootOnly, newRootOnly, NOW))).toBe('root-dropped');
    expect(offer(currentRootOnly, rotated, NOW).ok).toBe(true);
  });

  test('GIVEN a current root WHEN the update keeps it only as previous with an overlap that already ended THEN it is refused', () => {
    const expired: BundleSpec['roots'] = [
      { cert: m.rootNew, state: 'current' },
      { cert: m.rootOld, state: 'previous', until: '2026-01-01T00:00:00Z' },
    ];
    expect(reasonOf(offer(currentRootOnly, expired, NOW))).toBe('root-dropped');
  });

  test('GIVEN a root that is only "next" WHEN an update removes it THEN it is accepted (the rotation is abandoned)', () => {
    const withNext: BundleSpec['roots'] = [
      { cert: m.rootOld, state: 'current' },
      { cert: m.rootNew, state: 'next' },
    ];
    expect(offer(withNext, currentRootOnly, NOW).ok).toBe(true);
  });

  test('GIVEN the node says it uses the new root WHEN the update drops the old one early THEN it is accepted', () => {
    expect(offer(rotated, newRootOnly, NOW, spkiPin(m.rootNew.pem)).ok).toBe(true);
  });

  test('GIVEN the node says it still uses the old root WHEN the update drops it early THEN it is refused, and accepted after the overlap', () => {
    expect(reasonOf(offer(rotated, newRootOnly, NOW, spkiPin(m.rootOld.pem)))).toBe('root-dropped');
    expect(offer(rotated, newRootOnly, AFTER_OVERLAP, spkiPin(m.rootOld.pem)).ok).toBe(true);
  });

  test('GIVEN an in-use pin that names no root of the current bundle WHEN an update arrives THEN it is refused', () => {
    expect(reasonOf(offer(rotated, rotated, NOW, spkiPin(m.nodeRoot.pem)))).toBe('in-use-root-unknown');
  });

  test('GIVEN a root re-issued with the same key WHEN the update swaps the certificate THEN the root counts as kept', () => {
    const reissued = makeCertificate({
      commonName: 'gpuaas control-plane root 2025 (re-issued)',
      keyPair: { publicKey: m.rootOld.publicKey, privateKey: m.rootOld.privateKey },
    });
    expect(offer(currentRootOnly, [{ cert: reissued, state: 'current' }], NOW).ok).toBe(true);
  });
});
