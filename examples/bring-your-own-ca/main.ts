/**
 * Public HTTPS trust from an existing CA: the control plane's certificate comes from your CA, and nodes trust
 * that CA's root. The root certificate (public part only) is committed next to this file as `ca.pem`.
 *
 *   npm run build && node dist/examples/bring-your-own-ca/main.js
 *
 * The PEM is checked at synth time (one self-signed CA certificate, valid at `asOf`, no private key) and its
 * SPKI pin is computed; no Vault PKI mount is created for the control plane. The node-certificate CA stays in
 * Vault, apart from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';

/**
 * Where `ca.pem` is: beside this file when run from the sources, or in the source tree when run from
 * `dist/examples/bring-your-own-ca/` (the compiler does not copy .pem files).
 */
export function caPemPath(): string {
  const candidates = [
    path.join(__dirname, 'ca.pem'),
    path.resolve(__dirname, '..', '..', '..', 'examples', 'bring-your-own-ca', 'ca.pem'),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`ca.pem not found; looked in: ${candidates.join(', ')}`);
  return found;
}

/** The existing CA's root certificate (PEM, public part only). */
export function readCaPem(): string {
  return fs.readFileSync(caPemPath(), 'utf8');
}

/** The environment config for a given root certificate. */
export function configFor(pem: string): EnvironmentConfig {
  return {
    name: 'dev',
    controlPlaneUrl: 'https://control.dev.example.internal',
    taskSigning: { version: 1 },
    bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
    controlPlaneTrust: {
      existingCa: {
        current: { name: 'example-corp-root', pem },
        // The date the certificate is checked against: bump it when you review the trust.
        asOf: '2026-12-01T00:00:00Z',
      },
    },
  };
}

/** The environment, with the root read from `ca.pem`. */
export const environment: EnvironmentConfig = configFor(readCaPem());

/**
 * Builds the app.
 * @param outdir where to write `stacks/<name>/cdk.tf.json` (default: `CDKTF_OUTDIR` or "cdktf.out")
 */
export function build(outdir?: string): App {
  const app = new App({ outdir });
  new PlatformTrustStack(app, { environment });
  return app;
}

if (require.main === module) build().synth();
