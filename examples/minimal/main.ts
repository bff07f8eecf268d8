/**
 * Minimal example: one environment, one stack.
 *
 *   npm run build && node dist/examples/minimal/main.js   # writes cdktf.out/stacks/dev/cdk.tf.json
 *
 * The stack declares the platform secrets (KV v2, AppRole for the control plane, audit), the task signing key
 * in Vault transit, the node-certificate CA, the control-plane trust root and the signed bootstrap bundle.
 * The Vault provider reads VAULT_ADDR and VAULT_TOKEN from the environment at plan time; nothing secret is
 * written to the synthesized JSON.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';

// snippet:start
/** The whole environment: everything else has a default. */
export const environment: EnvironmentConfig = {
  name: 'dev',
  controlPlaneUrl: 'https://control.dev.example.internal',
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

/**
 * Builds the app.
 * @param outdir where to write `stacks/<name>/cdk.tf.json` (default: `CDKTF_OUTDIR` or "cdktf.out")
 */
export function build(outdir?: string): App {
  const app = new App({ outdir });
  new PlatformTrustStack(app, { environment });
  return app;
}
// snippet:end

if (require.main === module) build().synth();
