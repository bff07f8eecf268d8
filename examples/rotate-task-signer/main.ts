/**
 * Rotating the node task signing key: three pull requests, each a small edit of the environment config,
 * each reviewed as a plan (`npm run plan:explain` turns the plan into the review comment).
 *
 *   npm run build && node dist/examples/rotate-task-signer/main.js   # synthesizes the last step
 *
 * `step1`, `step2` and `step3` are the same environment at three consecutive commits. Every step also bumps
 * `bundle.sequence`: the bootstrap bundle changes with the verifier set, and nodes only accept a higher sequence.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';

const name = 'dev';
const controlPlaneUrl = 'https://control.dev.example.internal';

/** Before the rotation: version 1 signs, nodes accept version 1. */
export const initial: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 1, pre-publish: Vault creates version 2; nodes receive it as `next`; the control plane still signs with 1.
 *
 * ```diff
 * -  taskSigning: { version: 1 },
 * +  taskSigning: { version: 2, activeVersion: 1 },
 * -  bundle: { sequence: 1 },
 * +  bundle: { sequence: 2 },
 * ```
 * Plan: `RotateToV2` is created; the floors stay at 1; the verifier set becomes v1 active, v2 next.
 */
export const step1: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 2, activeVersion: 1 },
  bundle: { sequence: 2, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 2, activate (once every node holds bundle 2): version 2 signs; version 1 stays accepted until an explicit
 * end date.
 *
 * ```diff
 * -  taskSigning: { version: 2, activeVersion: 1 },
 * +  taskSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-01-15T00:00:00Z' }] },
 * -  bundle: { sequence: 2 },
 * +  bundle: { sequence: 3 },
 * ```
 * Plan: `Floors` min_encryption_version 1 -> 2; the control plane's policy pins `key_version` 2; v1 is `grace`.
 * Rollback: set `activeVersion` back to 1 (it is still in the verifier set).
 */
export const step2: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-01-15T00:00:00Z' }] },
  bundle: { sequence: 3, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Step 3, retire (after the grace end): version 1 leaves the verifier set and Vault refuses it too.
 *
 * ```diff
 * -  taskSigning: { version: 2, activeVersion: 2, grace: [{ version: 1, until: '2027-01-15T00:00:00Z' }] },
 * +  taskSigning: { version: 2, activeVersion: 2 },
 * -  bundle: { sequence: 3 },
 * +  bundle: { sequence: 4 },
 * ```
 * Plan: `Floors` min_decryption_version 1 -> 2; the verifier set is v2 active only.
 */
export const step3: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 2, activeVersion: 2 },
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
