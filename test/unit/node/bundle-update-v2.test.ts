import {
  BootstrapBundle,
  BootstrapBundleV2,
  BundleKeySetV1,
  BundleUpdateResult,
  DsseEnvelope,
  acceptBundleUpdate,
  renderBundleKeySet,
  renderVerifierSet,
} from '../../../lib/node';
import {
  BundleSpec,
  DsseSignatureSpec,
  dsseEnvelopeFor,
  envelopeFor,
  makeBundle,
  makeBundleV2,
  makeTrustMaterial,
} from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const NOW = new Date('2026-02-01T00:00:00Z');
const OVERLAP_END = '2026-03-01T00:00:00Z';
const AFTER_OVERLAP = new Date(OVERLAP_END);
const taskSet = tasks.set([1, 'active']);

const reasonOf = (r: BundleUpdateResult) => (r.ok ? 'ok' : r.reason);
const currentRootOnly: BundleSpec['roots'] = [{ cert: m.rootOld, state: 'current' }];

function v2(sequence: number, bundleKeys: BundleKeySetV1, extra: Partial<BundleSpec> = {}): BootstrapBundleV2 {
  return makeBundleV2({
    verifiers: taskSet,
    bundleKeys,
    sequence,
    roots: currentRootOnly,
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    ...extra,
  });
}

/** A v2 envelope signed by the given bundle key versions. */
const signedBy = (b: BootstrapBundle, ...versions: number[]): DsseEnvelope =>
  dsseEnvelopeFor(
    b,
    versions.map((version) => ({ signer: bundles, version })),
  );

/** Accepts or throws with the refusal, for chains of updates. */
function take(held: BootstrapBundle, env: DsseEnvelope, now = NOW): BootstrapBundle {
  const r = acceptBundleUpdate({ bundle: held }, env, now);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.bundle;
}

describe('acceptBundleUpdate: a v2 holder follows its bundle keys', () => {
  const keys = bundles.bundleKeySet([1, 'grace', OVERLAP_END], [2, 'active'], [3, 'next']);
  const held = v2(5, keys);

  test.each([
    ['active', 2],
    ['next (pre-published)', 3],
    ['grace (before until)', 1],
  ])('GIVEN an update signed by the %s bundle key WHEN offered THEN it is accepted', (state, version) => {
    const r = acceptBundleUpdate({ bundle: held }, signedBy(v2(6, keys), version), NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.bundle.sequence).toBe(6);
    expect(r.signer).toEqual({ version, kid: bundles.kid(version), state: state.split(' ')[0] });
    expect(r.signerKind).toBe('bundle-key');
    expect(r.migratedFromV1).toBe(false);
  });

  test('GIVEN an update signed by the grace bundle key WHEN offered after its until THEN grace-expired', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(v2(6, keys), 1), AFTER_OVERLAP))).toBe(
      'grace-expired',
    );
  });

  test('GIVEN an update signed only by a bundle key that the new bundle introduces WHEN offered THEN unknown-key', () => {
    const introduced = bundles.bundleKeySet([2, 'grace', OVERLAP_END], [3, 'active'], [4, 'next']);
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(v2(6, introduced), 4), NOW))).toBe('unknown-key');
  });

  test('GIVEN a tampered update WHEN offered THEN bad-signature', () => {
    const env = signedBy(v2(6, keys), 2);
    const payload = Buffer.from(env.payload, 'base64').toString().replace('"sequence":6', '"sequence":7');
    const tampered = { ...env, payload: Buffer.from(payload).toString('base64') };
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, tampered, NOW))).toBe('bad-signature');
  });

  test('GIVEN the node that applied an update WHEN the same or an older envelope is replayed THEN sequence-not-increasing', () => {
    const env6 = signedBy(v2(6, keys), 2);
    const at6 = take(held, env6);
    expect(reasonOf(acceptBundleUpdate({ bundle: at6 }, env6, NOW))).toBe('sequence-not-increasing');
    expect(reasonOf(acceptBundleUpdate({ bundle: at6 }, signedBy(held, 2), NOW))).toBe('sequence-not-increasing');
  });

  test('GIVEN a v2 update for another environment, or dropping the current root WHEN offered THEN the v1 rules still refuse it', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(v2(6, keys, { environment: 'prod' }), 2), NOW))).toBe(
      'environment-mismatch',
    );
    const replaced = v2(6, keys, { roots: [{ cert: m.rootNew, state: 'current' }] });
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(replaced, 2), NOW))).toBe('root-dropped');
  });

  test('GIVEN an in-use pin that names no root of the held v2 bundle WHEN an update arrives THEN in-use-root-unknown', () => {
    const r = acceptBundleUpdate({ bundle: held }, signedBy(v2(6, keys), 2), NOW, {
      inUsePin: `sha256:${'0'.repeat(64)}`,
    });
    expect(reasonOf(r)).toBe('in-use-root-unknown');
  });

  test('GIVEN the node holds its bundle keys apart (as text) WHEN an update arrives THEN that set decides', () => {
    const onlyV3 = renderBundleKeySet(bundles.bundleKeySet([3, 'active']));
    expect(acceptBundleUpdate({ bundle: held, bundleKeys: onlyV3 }, signedBy(v2(6, keys), 3), NOW).ok).toBe(true);
    expect(reasonOf(acceptBundleUpdate({ bundle: held, bundleKeys: onlyV3 }, signedBy(v2(6, keys), 2), NOW))).toBe(
      'unknown-key',
    );
  });

  test('GIVEN held key sets of the wrong kind WHEN an update arrives THEN invalid-current', () => {
    const env = signedBy(v2(6, keys), 2);
    expect(reasonOf(acceptBundleUpdate({ bundle: held, bundleKeys: renderVerifierSet(taskSet) }, env, NOW))).toBe(
      'invalid-current',
    );
    expect(reasonOf(acceptBundleUpdate({ bundle: held, verifiers: keys as never }, env, NOW))).toBe('invalid-current');
  });
});

describe('acceptBundleUpdate: bundle key rotation in two phases', () => {
  const b1 = v2(1, bundles.bundleKeySet([1, 'active']));
  // phase 1: pre-publish v2 under the current key v1
  const b2 = v2(2, bundles.bundleKeySet([1, 'active'], [2, 'next']));
  // phase 2: activate v2; v1 stays in grace until OVERLAP_END
  const b3 = v2(3, bundles.bundleKeySet([1, 'grace', OVERLAP_END], [2, 'active']));
  // retire v1
  const b4 = v2(4, bundles.bundleKeySet([2, 'active']));

  test('GIVEN a node that holds the bundle from before the rotation WHEN it takes each step THEN it follows to the new key', () => {
    let held: BootstrapBundle = b1;
    held = take(held, signedBy(b2, 1));
    held = take(held, signedBy(b3, 2));
    held = take(held, signedBy(b4, 2));
    expect(held.sequence).toBe(4);
    expect((held as BootstrapBundleV2).bundle_keys.set.keys.map((k) => k.version)).toEqual([2]);
  });

  test('GIVEN a node that missed the pre-publish step WHEN the activation is signed only by the new key THEN it is refused; signed by both keys THEN it is accepted', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: b1 }, signedBy(b3, 2), NOW))).toBe('unknown-key');
    expect(take(b1, signedBy(b3, 2, 1)).sequence).toBe(3);
  });

  test('GIVEN the retired key v1 WHEN it signs an update for a node that no longer holds it THEN unknown-key', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: b4 }, signedBy(v2(5, b4.bundle_keys.set), 1), NOW))).toBe(
      'unknown-key',
    );
  });
});

describe('acceptBundleUpdate: task keys never sign bundles for a v2 holder', () => {
  const keys = bundles.bundleKeySet([1, 'active']);
  const held = v2(5, keys);
  const next = v2(6, keys);
  const byTask: DsseSignatureSpec = { signer: tasks, version: 1 };

  test('GIVEN a v2 update signed only by the task key (the control plane credential) WHEN offered THEN task-key-signature', () => {
    const r = acceptBundleUpdate({ bundle: held }, dsseEnvelopeFor(next, [byTask]), NOW);
    expect(reasonOf(r)).toBe('task-key-signature');
    expect(r.ok ? '' : r.detail).toContain(BUNDLE_KEY_NAME);
  });

  test('GIVEN a task-key signature beside a valid bundle-key signature WHEN offered THEN the task-key one is ignored', () => {
    const r = acceptBundleUpdate(
      { bundle: held },
      dsseEnvelopeFor(next, [byTask, { signer: bundles, version: 1 }]),
      NOW,
    );
    expect(r).toMatchObject({ ok: true, signer: { kid: bundles.kid(1) }, signerKind: 'bundle-key' });
  });

  test('GIVEN a task-key signature beside a forged or unknown one WHEN offered THEN the other refusal is reported', () => {
    const forged: DsseSignatureSpec = { signer: tasks, version: 1, keyid: bundles.kid(1) };
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, dsseEnvelopeFor(next, [byTask, forged]), NOW))).toBe(
      'bad-signature',
    );
    const stranger: DsseSignatureSpec = { signer: new TestSigner('someone-else'), version: 1 };
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, dsseEnvelopeFor(next, [byTask, stranger]), NOW))).toBe(
      'unknown-key',
    );
  });

  test('GIVEN a v2 holder WHEN a v1 envelope signed by the task key arrives THEN downgrade', () => {
    const v1 = makeBundle({ verifiers: taskSet, sequence: 6, roots: currentRootOnly, nodePems: [m.nodeRoot.pem] });
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, envelopeFor(v1, tasks, 1), NOW))).toBe('downgrade');
  });

  test('GIVEN a v2 envelope carrying a v1 bundle WHEN offered THEN invalid-bundle', () => {
    const v1 = makeBundle({ verifiers: taskSet, sequence: 6, roots: currentRootOnly, nodePems: [m.nodeRoot.pem] });
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(v1, 1), NOW))).toBe('invalid-bundle');
  });
});

describe('acceptBundleUpdate: a v1 holder moves to v2 once', () => {
  const heldV1 = makeBundle({ verifiers: taskSet, sequence: 9, roots: currentRootOnly, nodePems: [m.nodeRoot.pem] });
  const keys = bundles.bundleKeySet([1, 'active']);
  const first = v2(10, keys);
  const dual = dsseEnvelopeFor(first, [
    { signer: bundles, version: 1 },
    { signer: tasks, version: 1 },
  ]);

  test('GIVEN a v1 holder WHEN a v2 envelope signed by the bundle key and by its task key arrives THEN it migrates', () => {
    const r = acceptBundleUpdate({ bundle: heldV1 }, dual, NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.migratedFromV1).toBe(true);
    expect(r.signerKind).toBe('task-key-migration');
    expect(r.signer).toEqual({ version: 1, kid: tasks.kid(1), state: 'active' });
    expect(r.bundle).toEqual(first);
    // from now on only bundle keys count
    const after = take(r.bundle, signedBy(v2(11, keys), 1));
    expect(after.sequence).toBe(11);
    expect(
      reasonOf(
        acceptBundleUpdate({ bundle: r.bundle }, dsseEnvelopeFor(v2(11, keys), [{ signer: tasks, version: 1 }]), NOW),
      ),
    ).toBe('task-key-signature');
  });

  test('GIVEN a v1 holder WHEN the v2 envelope is signed only by the bundle key THEN unknown-key (it holds no bundle key yet)', () => {
    const r = acceptBundleUpdate({ bundle: heldV1 }, signedBy(first, 1), NOW);
    expect(reasonOf(r)).toBe('unknown-key');
    expect(r.ok ? '' : r.detail).toMatch(/v1 bundle/);
  });

  test('GIVEN a v1 holder WHEN the task signature of the v2 envelope is a Vault transit string THEN malformed-signature', () => {
    const env = dsseEnvelopeFor(first, [{ signer: tasks, version: 1, vaultPrefix: true }]);
    expect(reasonOf(acceptBundleUpdate({ bundle: heldV1 }, env, NOW))).toBe('malformed-signature');
  });

  test('GIVEN a v1 holder WHEN a v1 envelope arrives THEN it is verified as before', () => {
    const v1Next = makeBundle({ verifiers: taskSet, sequence: 10, roots: currentRootOnly, nodePems: [m.nodeRoot.pem] });
    const r = acceptBundleUpdate({ bundle: heldV1 }, envelopeFor(v1Next, tasks, 1), NOW);
    expect(r).toMatchObject({ ok: true, signerKind: 'task-key', migratedFromV1: false });
  });

  test('GIVEN a v1 holder WHEN bundle keys are passed beside it THEN invalid-current', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: heldV1, bundleKeys: keys }, dual, NOW))).toBe('invalid-current');
  });

  test('GIVEN a v1 holder WHEN the migration envelope replays an older sequence THEN sequence-not-increasing', () => {
    const old = dsseEnvelopeFor(v2(9, keys), [{ signer: tasks, version: 1 }]);
    expect(reasonOf(acceptBundleUpdate({ bundle: heldV1 }, old, NOW))).toBe('sequence-not-increasing');
  });
});
