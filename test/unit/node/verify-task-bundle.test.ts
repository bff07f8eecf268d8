import { TaskWithBundleVerification, verifyTask, verifyTaskWithBundle } from '../../../lib/node';
import { makeBundle, makeBundleV2, makeTrustMaterial } from './helpers/bundles';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

const NOW = new Date('2026-02-01T00:00:00Z');
const m = makeTrustMaterial();
const tasks = new TestSigner();
const bundles = new TestSigner(BUNDLE_KEY_NAME);
const taskSet = tasks.set([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active']);
const common = { roots: [{ cert: m.rootOld, state: 'current' as const }], nodePems: [m.nodeRoot.pem] };
const v2 = makeBundleV2({
  ...common,
  verifiers: taskSet,
  bundleKeys: bundles.bundleKeySet([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active']),
});
const v1 = makeBundle({ ...common, verifiers: taskSet });
const task = '{"task":"drain","node":"gpu-7"}';
const reasonOf = (r: TaskWithBundleVerification) => (r.ok ? 'ok' : r.reason);

describe('verifyTaskWithBundle', () => {
  test('GIVEN a task signed by a task key WHEN verified with a v2 or v1 bundle THEN it is accepted, as verifyTask accepts it', () => {
    const sig = tasks.sign(2, task);
    expect(verifyTaskWithBundle(v2, task, sig, NOW)).toEqual(verifyTask(taskSet, task, sig, NOW));
    expect(verifyTaskWithBundle(v1, Buffer.from(task), sig, NOW, { engine: 'noble' })).toMatchObject({
      ok: true,
      version: 2,
    });
  });

  test('GIVEN a task signed by the bundle key (same version number) WHEN verified THEN bundle-key-signature', () => {
    const r = verifyTaskWithBundle(v2, task, bundles.sign(2, task), NOW);
    expect(reasonOf(r)).toBe('bundle-key-signature');
    expect(r.ok ? '' : r.detail).toContain(bundles.kid(2));
    expect(reasonOf(verifyTaskWithBundle(v2, task, bundles.sign(1, task), NOW))).toBe('bundle-key-signature');
    // verifyTask itself only sees a bad signature
    expect(verifyTask(taskSet, task, bundles.sign(2, task), NOW)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  test('GIVEN a bundle-key version the bundle does not list, or another signature WHEN verified THEN the task-side reason stands', () => {
    expect(reasonOf(verifyTaskWithBundle(v2, task, bundles.sign(3, task), NOW))).toBe('unknown-version');
    expect(reasonOf(verifyTaskWithBundle(v2, task, bundles.sign(2, 'another task'), NOW))).toBe('bad-signature');
    expect(reasonOf(verifyTaskWithBundle(v2, task, 'vault:v2:abc', NOW))).toBe('malformed-signature');
    expect(reasonOf(verifyTaskWithBundle(v1, task, bundles.sign(2, task), NOW))).toBe('bad-signature');
  });

  test('GIVEN a bundle that does not validate, or a message of another type WHEN verified THEN invalid-bundle or invalid-message', () => {
    expect(reasonOf(verifyTaskWithBundle({ ...v2, sequence: 0 }, task, tasks.sign(2, task), NOW))).toBe(
      'invalid-bundle',
    );
    expect(reasonOf(verifyTaskWithBundle(v2, 42 as never, tasks.sign(2, task), NOW))).toBe('invalid-message');
  });
});
