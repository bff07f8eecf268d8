/**
 * Fixed facts for the rotation planner's tests: keys, publication records and published bundle versions as the
 * parsers of lib/schedule/facts.ts return them from Vault's answers.
 */
import type { EnvironmentConfig } from '../../../stacks/environment';
import type { BundleFacts, KeyFacts, PublishedBundleVersion, PublishedRoot, VaultFacts } from '../../../lib/schedule';

export const ROOT_PIN = `sha256:${'a1'.repeat(32)}`;
export const NEXT_ROOT_PIN = `sha256:${'b2'.repeat(32)}`;

/** The dev environment as a platform repo writes it (published at sequence 4, expiring 2027-05-01). */
export const config = (over: Partial<EnvironmentConfig> = {}): EnvironmentConfig => ({
  name: 'dev',
  controlPlaneUrl: 'https://control.dev.platform.internal',
  taskSigning: { version: 1 },
  bundle: { sequence: 4, freshness: { expires: '2027-05-01T00:00:00Z' } },
  ...over,
});

export function key(
  name: string,
  created: Record<number, string>,
  published: Record<number, string> = {},
  latest = Math.max(...Object.keys(created).map(Number)),
): KeyFacts {
  return { name, exists: true, latestVersion: latest, created, published };
}

export const root = (over: Partial<PublishedRoot> = {}): PublishedRoot => ({
  pin: ROOT_PIN,
  subject: 'CN=dev-control-plane-root',
  notAfter: '2036-01-01T00:00:00Z',
  state: 'current',
  ...over,
});

export function version(kvVersion: number, over: Partial<PublishedBundleVersion> = {}): PublishedBundleVersion {
  return {
    kvVersion,
    createdTime: '2027-02-15T00:00:00Z',
    sequence: kvVersion + 3,
    expires: '2027-05-01T00:00:00Z',
    refreshHintSeconds: 3600,
    taskKey: { name: 'node-task-signer', versions: [1] },
    bundleKey: { name: 'bundle-signer', versions: [1] },
    roots: [root()],
    revoked: { taskKeyVersions: [], bundleKeyVersions: [], rootPins: [] },
    ...over,
  };
}

export function bundle(history: PublishedBundleVersion[], over: Partial<BundleFacts> = {}): BundleFacts {
  const last = history[history.length - 1];
  return {
    exists: true,
    ...(last?.sequence !== undefined ? { sequence: last.sequence } : {}),
    currentVersion: last?.kvVersion ?? 0,
    history,
    complete: history.length > 0 && history.length === last.kvVersion,
    ...over,
  };
}

/**
 * Both keys at v1 (the task key created 2027-01-01, the bundle key 2027-02-15) and one published bundle at
 * sequence 4: nothing is due on 2027-03-01 under the default policy.
 */
export function facts(over: Partial<VaultFacts> = {}): VaultFacts {
  return {
    taskKey: key('node-task-signer', { 1: '2027-01-01T00:00:00Z' }),
    bundleKey: key('bundle-signer', { 1: '2027-02-15T00:00:00Z' }),
    bundle: bundle([version(1)]),
    ...over,
  };
}

export const at = (iso: string) => Date.parse(iso);
