import {
  BootstrapBundle,
  BootstrapBundleV2,
  BundleKeySetV1,
  BundleRevocations,
  DsseEnvelope,
  NodeTrustError,
  TaskWithBundleVerification,
  acceptBundleUpdate,
  acceptFirstBundle,
  bundleFreshness,
  bundleKeyPin,
  renderBundleKeySet,
  spkiPin,
  verifyBundle,
  verifyTaskWithBundle,
} from '../../../lib/node';
import {
  BundleSpec,
  TEST_EXPIRES,
  dsseEnvelopeFor,
  envelopeFor,
  makeBundle,
  makeBundleV2,
  makeTrustMaterial,
} from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

// Freshness and revocation of bundle v2 on the node: an expired bundle is never taken and, while held, refuses every
// task; a revoked key version or root is dropped at once and never comes back.

const NOW = new Date('2026-02-01T00:00:00Z');
const BEFORE_NOW = '2026-01-31T23:59:59Z';
const LATER = new Date('2026-02-20T00:00:00Z');
const GRACE_END = '2026-03-01T00:00:00Z';
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const task = '{"task":"drain","node":"gpu-7"}';
const pinOld = spkiPin(m.rootOld.pem);

interface V2Spec extends Partial<BundleSpec> {
  readonly keys?: BundleKeySetV1;
  readonly expires?: string;
  readonly revoked?: Partial<BundleRevocations>;
}

function v2(sequence: number, spec: V2Spec = {}): BootstrapBundleV2 {
  return makeBundleV2({
    verifiers: tasks.set([2, 'active']),
    roots: [{ cert: m.rootOld, state: 'current' }],
    nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
    ...spec,
    bundleKeys: spec.keys ?? bundles.bundleKeySet([1, 'active']),
    sequence,
    freshness: { expires: spec.expires ?? TEST_EXPIRES },
  });
}

/** A v2 envelope signed by the given bundle key versions. */
const signedBy = (b: BootstrapBundle, ...versions: number[]): DsseEnvelope =>
  dsseEnvelopeFor(
    b,
    versions.map((version) => ({ signer: bundles, version })),
  );

const reasonOf = (r: { ok: true } | { ok: false; reason: string }) => (r.ok ? 'ok' : r.reason);

/** Accepts an update or throws with the refusal. */
function take(held: BootstrapBundle, env: DsseEnvelope, now = NOW): BootstrapBundleV2 {
  const r = acceptBundleUpdate({ bundle: held as BootstrapBundleV2 }, env, now);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.bundle;
}

const taskBy = (held: BootstrapBundle, version: number, now = NOW): TaskWithBundleVerification =>
  verifyTaskWithBundle(held, task, tasks.sign(version, task), now);

describe('expiry: a node never takes an expired bundle', () => {
  test('GIVEN a first bundle that expired WHEN a node enrols THEN expired, with the expiry and now in the detail', () => {
    const pin = bundleKeyPin(bundles.publicKeyB64(1));
    expect(acceptFirstBundle(signedBy(v2(4), 1), pin, NOW).ok).toBe(true);
    const r = acceptFirstBundle(signedBy(v2(4, { expires: BEFORE_NOW }), 1), pin, NOW);
    expect(reasonOf(r)).toBe('expired');
    expect(r.ok ? '' : r.detail).toContain(`expired at ${BEFORE_NOW}; now is 2026-02-01T00:00:00.000Z`);
  });

  test('GIVEN a bundle that expires exactly now WHEN checked THEN it is refused (the expiry is exclusive); a millisecond earlier it is taken', () => {
    const pin = bundleKeyPin(bundles.publicKeyB64(1));
    const env = signedBy(v2(4, { expires: '2026-02-01T00:00:00Z' }), 1);
    expect(reasonOf(acceptFirstBundle(env, pin, NOW))).toBe('expired');
    expect(reasonOf(verifyBundle(env, bundles.bundleKeySet([1, 'active']), NOW))).toBe('expired');
    expect(acceptFirstBundle(env, pin, new Date(NOW.getTime() - 1)).ok).toBe(true);
  });

  test('GIVEN an update that expired WHEN offered THEN expired; the same content with a later expiry is accepted', () => {
    const held = v2(4);
    const r = acceptBundleUpdate({ bundle: held }, signedBy(v2(5, { expires: BEFORE_NOW }), 1), NOW);
    expect(reasonOf(r)).toBe('expired');
    expect(r.ok ? '' : r.detail).toContain('sequence 5');
    expect(take(held, signedBy(v2(5), 1)).sequence).toBe(5);
  });

  test('GIVEN an expired v2 envelope WHEN verified under the trusted bundle keys THEN expired; v1 bundles carry no expiry', () => {
    const keys = bundles.bundleKeySet([1, 'active']);
    expect(reasonOf(verifyBundle(signedBy(v2(4, { expires: BEFORE_NOW }), 1), keys, NOW))).toBe('expired');
    expect(verifyBundle(signedBy(v2(4), 1), keys, NOW).ok).toBe(true);
    const set = tasks.set([2, 'active']);
    const v1 = makeBundle({
      verifiers: set,
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    expect(verifyBundle(envelopeFor(v1, tasks, 2), set, new Date('2099-01-01T00:00:00Z')).ok).toBe(true);
  });

  test('GIVEN a held bundle that has expired WHEN a fresh update signed by its bundle key arrives THEN the node takes it (how it recovers)', () => {
    const held = v2(4, { expires: '2026-02-10T00:00:00Z' });
    const r = acceptBundleUpdate({ bundle: held }, signedBy(v2(5), 1), LATER);
    expect(r).toMatchObject({ ok: true, bundle: { sequence: 5 } });
  });
});

describe('expiry: tasks are refused while the held bundle has expired', () => {
  const held = v2(4, { expires: '2026-02-10T00:00:00Z' });

  test('GIVEN a held bundle that has expired WHEN a validly signed task arrives THEN bundle-expired, and accepted again after a fresh update', () => {
    expect(taskBy(held, 2)).toMatchObject({ ok: true, version: 2 });
    const r = taskBy(held, 2, LATER);
    expect(reasonOf(r)).toBe('bundle-expired');
    expect(r.ok ? '' : r.detail).toContain('expired at 2026-02-10T00:00:00Z; now is 2026-02-20T00:00:00.000Z');
    const fresh = take(held, signedBy(v2(5), 1), LATER);
    expect(taskBy(fresh, 2, LATER)).toMatchObject({ ok: true, version: 2 });
  });

  test('GIVEN a held bundle that has expired WHEN the signature or the message is malformed THEN still bundle-expired (checked before signatures)', () => {
    expect(reasonOf(verifyTaskWithBundle(held, task, 'vault:v2:abc', LATER))).toBe('bundle-expired');
    expect(reasonOf(verifyTaskWithBundle(held, 42 as never, tasks.sign(2, task), LATER))).toBe('bundle-expired');
    expect(reasonOf(verifyTaskWithBundle(held, task, 'vault:v2:abc', NOW))).toBe('malformed-signature');
  });

  test('GIVEN a v1 bundle WHEN a task arrives at any time THEN no expiry applies', () => {
    const set = tasks.set([2, 'active']);
    const v1 = makeBundle({
      verifiers: set,
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    expect(taskBy(v1, 2, new Date('2099-01-01T00:00:00Z')).ok).toBe(true);
  });
});

describe('revocation: task key versions', () => {
  // v1 is in grace until GRACE_END; the next bundle revokes it.
  const held = v2(4, { verifiers: tasks.set([1, 'grace', GRACE_END], [2, 'active']) });
  const revoking = v2(5, { revoked: { task_key_versions: [1] } });

  test('GIVEN a task key version in grace WHEN an update revokes it THEN tasks it signs are refused at once as revoked-key, inside the grace window', () => {
    expect(taskBy(held, 1)).toMatchObject({ ok: true, version: 1, state: 'grace' });
    const after = take(held, signedBy(revoking, 1));
    const r = taskBy(after, 1);
    expect(reasonOf(r)).toBe('revoked-key');
    expect(r.ok ? '' : r.detail).toMatch(/task key version 1 of gpuaas-task-signing is revoked/);
    expect(taskBy(after, 2).ok).toBe(true);
    // a version that was never published is still unknown, not revoked
    expect(reasonOf(taskBy(after, 7))).toBe('unknown-version');
  });

  test('GIVEN a revoked task key version WHEN a later update lists it again THEN revocation-lifted', () => {
    const after = take(held, signedBy(revoking, 1));
    const back = v2(6, { verifiers: tasks.set([1, 'grace', GRACE_END], [2, 'active']) });
    const r = acceptBundleUpdate({ bundle: after }, signedBy(back, 1), NOW);
    expect(reasonOf(r)).toBe('revocation-lifted');
    expect(r.ok ? '' : r.detail).toContain('task key version 1');
    // the next update may keep the revocation or let it lapse, as long as it does not trust v1 again
    expect(take(after, signedBy(v2(6), 1)).sequence).toBe(6);
  });

  test('GIVEN a revoked task key version WHEN an update moves to another task key whose versions restart THEN it is not a lifted revocation', () => {
    const after = take(held, signedBy(revoking, 1));
    const other = new TestSigner('gpuaas-task-signing-2027');
    expect(take(after, signedBy(v2(6, { verifiers: other.set([1, 'active']) }), 1)).sequence).toBe(6);
  });
});

describe('revocation: bundle key versions and the emergency rotation', () => {
  const held = v2(4, { keys: bundles.bundleKeySet([1, 'active']) });
  // v1 is compromised: the next bundle, still signed by v1 (the only key every node holds), activates v2 and
  // revokes v1
  const emergency = v2(5, { keys: bundles.bundleKeySet([2, 'active']), revoked: { bundle_key_versions: [1] } });

  test('GIVEN an emergency rotation signed by the held key that it revokes WHEN offered THEN it is accepted; afterwards only the new key signs', () => {
    const r = acceptBundleUpdate({ bundle: held }, signedBy(emergency, 1), NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.signer).toEqual({ version: 1, kid: bundles.kid(1), state: 'active' });
    const after = r.bundle;
    const byOld = acceptBundleUpdate({ bundle: after }, signedBy(v2(6, { keys: emergency.bundle_keys.set }), 1), NOW);
    expect(reasonOf(byOld)).toBe('revoked-key');
    expect(byOld.ok ? '' : byOld.detail).toContain(`keyid ${bundles.kid(1)} is bundle key version 1`);
    expect(
      take(after, signedBy(v2(6, { keys: emergency.bundle_keys.set, revoked: { bundle_key_versions: [1] } }), 2))
        .sequence,
    ).toBe(6);
  });

  test('GIVEN a revoked bundle key version WHEN the node holds a key set that still lists it THEN its signature does not count', () => {
    const after = take(held, signedBy(emergency, 1));
    const stale = renderBundleKeySet(bundles.bundleKeySet([1, 'grace', GRACE_END], [2, 'active']));
    const next = v2(6, { keys: emergency.bundle_keys.set });
    expect(reasonOf(acceptBundleUpdate({ bundle: after, bundleKeys: stale }, signedBy(next, 1), NOW))).toBe(
      'revoked-key',
    );
    // beside a signature by the new key, the revoked one is ignored
    expect(acceptBundleUpdate({ bundle: after }, signedBy(next, 1, 2), NOW)).toMatchObject({
      ok: true,
      signer: { version: 2 },
    });
  });

  test('GIVEN a revoked bundle key version WHEN a later update lists it again THEN revocation-lifted', () => {
    const after = take(held, signedBy(emergency, 1));
    const back = v2(6, { keys: bundles.bundleKeySet([1, 'grace', GRACE_END], [2, 'active']) });
    const r = acceptBundleUpdate({ bundle: after }, signedBy(back, 2), NOW);
    expect(reasonOf(r)).toBe('revocation-lifted');
    expect(r.ok ? '' : r.detail).toContain('bundle key version 1');
  });
});

describe('revocation: control-plane roots', () => {
  const rotating: BundleSpec['roots'] = [
    { cert: m.rootNew, state: 'current' },
    { cert: m.rootOld, state: 'previous', until: GRACE_END },
  ];
  const held = v2(4, { roots: rotating });
  const onlyNew: BundleSpec['roots'] = [{ cert: m.rootNew, state: 'current' }];

  test('GIVEN a previous root inside its overlap WHEN an update drops it THEN root-dropped, unless the update revokes its pin', () => {
    expect(reasonOf(acceptBundleUpdate({ bundle: held }, signedBy(v2(5, { roots: onlyNew }), 1), NOW))).toBe(
      'root-dropped',
    );
    const revoking = v2(5, { roots: onlyNew, revoked: { root_pins: [pinOld] } });
    expect(take(held, signedBy(revoking, 1)).public_https_trust.roots).toHaveLength(1);
    // also when the node names the revoked root as the one it uses
    const r = acceptBundleUpdate({ bundle: held }, signedBy(revoking, 1), NOW, { inUsePin: pinOld });
    expect(r.ok).toBe(true);
  });

  test('GIVEN a compromised current root WHEN an update replaces it and revokes its pin THEN it is accepted', () => {
    const heldOld = v2(4);
    expect(reasonOf(acceptBundleUpdate({ bundle: heldOld }, signedBy(v2(5, { roots: onlyNew }), 1), NOW))).toBe(
      'root-dropped',
    );
    const replaced = v2(5, { roots: onlyNew, revoked: { root_pins: [pinOld] } });
    expect(take(heldOld, signedBy(replaced, 1)).sequence).toBe(5);
  });

  test('GIVEN a revoked root WHEN a later update lists it again THEN revocation-lifted', () => {
    const after = take(held, signedBy(v2(5, { roots: onlyNew, revoked: { root_pins: [pinOld] } }), 1));
    const r = acceptBundleUpdate({ bundle: after }, signedBy(v2(6, { roots: rotating }), 1), NOW);
    expect(reasonOf(r)).toBe('revocation-lifted');
    expect(r.ok ? '' : r.detail).toContain(`root ${pinOld}`);
    expect(take(after, signedBy(v2(6, { roots: onlyNew }), 1)).sequence).toBe(6);
  });
});

describe('bundleFreshness', () => {
  test('GIVEN a v2 bundle THEN its expiry as a Date and its refresh hint; GIVEN a v1 bundle THEN undefined', () => {
    const b = makeBundleV2({
      verifiers: tasks.set([2, 'active']),
      bundleKeys: bundles.bundleKeySet([1, 'active']),
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
      freshness: { expires: '2026-04-01T12:30:00.250Z', refresh_hint_seconds: 900 },
    });
    const f = bundleFreshness(b);
    expect(f).toEqual({ expiresAt: new Date('2026-04-01T12:30:00.250Z'), refreshHintSeconds: 900 });
    const v1 = makeBundle({
      verifiers: tasks.set([2, 'active']),
      roots: [{ cert: m.rootOld, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
    });
    expect(bundleFreshness(v1)).toBeUndefined();
  });

  test('GIVEN a bundle that does not validate THEN it throws a NodeTrustError', () => {
    const bad = { ...v2(4), freshness: { expires: 'soon', refresh_hint_seconds: 60 } };
    expect(() => bundleFreshness(bad)).toThrow(NodeTrustError);
    expect(() => bundleFreshness(bad)).toThrow(/NT006.*freshness\.expires/);
  });
});
