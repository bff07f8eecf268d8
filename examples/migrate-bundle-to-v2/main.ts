/**
 * Moving a fleet from bootstrap bundle format v1 (signed by the task key) to format v2 (signed by its own bundle
 * key): two pull requests.
 *
 *   npm run build && node dist/examples/migrate-bundle-to-v2/main.js   # synthesizes the last step
 *
 * Step 1 publishes the first v2 bundle signed twice: by the bundle key (what v2 nodes verify) and, declared as the
 * migration signature, by the task key's active version (what nodes still holding a v1 bundle know). Step 2, once
 * every node holds a v2 bundle, drops the task key signature: from then on only the bundle key signs bundles.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';

const name = 'dev';
const controlPlaneUrl = 'https://control.dev.example.internal';

/**
 * Step 1: the first v2 bundle. The bundle key is created (version 1) and signs during apply; the task key signs
 * the same payload for v1 nodes. A node enrols new machines with the `bundle_key_pin` output.
 *
 * ```diff
 * -  bundle: { sequence: 7 },
 * +  bundleSigning: { version: 1 },
 * +  bundle: { sequence: 8, migrateFromV1: true },
 * ```
 * Plan: `BundleSigningKey` and its key read are created; `BundleSignature` and `TaskKeySignature` are created and
 * sign at apply; the envelope lists both signatures.
 */
export const step1: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 1 },
  bundleSigning: { version: 1 },
  bundle: { sequence: 8, freshness: { expires: '2027-02-01T00:00:00Z' }, migrateFromV1: true },
};

/**
 * Step 2 (once every node holds a v2 bundle): the task key no longer signs bundles.
 *
 * ```diff
 * -  bundle: { sequence: 8, migrateFromV1: true },
 * +  bundle: { sequence: 9 },
 * ```
 * Plan: `TaskKeySignature` is destroyed (nothing is deleted in Vault); the envelope carries the bundle key
 * signature only; the apply identity's grant (`BootstrapBundle.grantPublish`) no longer includes the task key.
 */
export const step2: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 1 },
  bundleSigning: { version: 1 },
  bundle: { sequence: 9, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/** The steps in order. */
export const steps: readonly EnvironmentConfig[] = [step1, step2];

/**
 * Builds the app for one step.
 * @param outdir where to write `stacks/<name>/cdk.tf.json` (default: `CDKTF_OUTDIR` or "cdktf.out")
 * @param environment the step to synthesize (default: the last one)
 */
export function build(outdir?: string, environment: EnvironmentConfig = step2): App {
  const app = new App({ outdir });
  new PlatformTrustStack(app, { environment });
  return app;
}

if (require.main === module) build().synth();
