/**
 * Rotating the bundle signing key (the key that signs bootstrap bundles, apart from the task key): three pull
 * requests, each a small edit of the environment config, each reviewed as a plan. The same two phases as the task
 * key: pre-publish, then activate once every node holds the bundle that lists the new version, then retire.
 *
 *   npm run build && node dist/examples/rotate-bundle-key/main.js   # synthesizes the last step
 *
 * `step1`, `step2` and `step3` are the same environment at three consecutive commits. Every step bumps
 * `bundle.sequence`: the bundle carries the bundle key set, and nodes only accept a higher sequence. The bundle is
 * signed during apply, never during the plan: the plan shows the new signature as known after apply.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';

const name = 'dev';
const controlPlaneUrl = 'https://control.dev.example.internal';
const taskSigning = { version: 1 };

/** Before the rotation: bundle key version 1 signs, nodes verify bundles under version 1. */
export const initial: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning,
  bundleSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 1, pre-publish: Vault creates bundle key version 2; the bundle lists it as `next` and is still signed by 1,
 * which every node holds.
 *
 * ```diff
 * -  bundleSigning: { version: 1 },
 * +  bundleSigning: { version: 2, activeVersion: 1 },
 * -  bundle: { sequence: 1 },
 * +  bundle: { sequence: 2 },
 * ```
 * Plan: `BundleSigningKey/RotateToV2` is created; the bundle key set becomes v1 active, v2 next; `BundleSignature`
 * is replaced (what it signs changed).
 */
export const step1: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning,
  bundleSigning: { version: 2, activeVersion: 1 },
  bundle: { sequence: 2, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 2, activate (once every node holds bundle 2, which lists version 2): version 2 signs the bundle; version 1
 * stays in the key set until an explicit end date.
 *
 * ```diff
 * -  bundleSigning: { version: 2, activeVersion: 1 },
 * +  bundleSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-02-15T00:00:00Z' }] },
 * -  bundle: { sequence: 2 },
 * +  bundle: { sequence: 3 },
 * ```
 * Plan: `BundleSigningKey/Floors` min_encryption_version 1 -> 2; `BundleSignature` signs with key_version "2";
 * the `bundle_key_pin` output changes (new nodes enrol with the version 2 pin).
 */
export const step2: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning,
  bundleSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-02-15T00:00:00Z' }] },
  bundle: { sequence: 3, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 3, retire (after the grace end): version 1 leaves the key set and Vault refuses it too.
 *
 * ```diff
 * -  bundleSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-02-15T00:00:00Z' }] },
 * +  bundleSigning: { version: 2, activeVersion: 2 },
 * -  bundle: { sequence: 3 },
 * +  bundle: { sequence: 4 },
 * ```
 */
export const step3: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning,
  bundleSigning: { version: 2, activeVersion: 2 },
  bundle: { sequence: 4, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/** The steps in order. */
export const steps: readonly EnvironmentConfig[] = [step1, step2, step3];

/**
 * Builds the app for one step.
 * @param outdir where to write `stacks/<name>/cdk.tf.json` (default: `CDKTF_OUTDIR` or "cdktf.out")
 * @param environment the step to synthesize (default: the last one)
 */
export function build(outdir?: string, environment: EnvironmentConfig = step3): App {
  const app = new App({ outdir });
  new PlatformTrustStack(app, { environment });
  return app;
}

if (require.main === module) build().synth();
