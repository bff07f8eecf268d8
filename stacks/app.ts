import { App } from 'cdktf';
import { duplicate } from '../lib/core/errors';
import { EnvironmentConfig } from './environment';
import { PlatformTrustStack, PlatformTrustStackProps } from './platform-trust-stack';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Where to write `stacks/<env>/cdk.tf.json`. @default - `CDKTF_OUTDIR` or "cdktf.out" */
  readonly outdir?: string;
  /** Extra stack props applied to every environment (for example a backend). */
  readonly stackProps?: Omit<PlatformTrustStackProps, 'environment'>;
}

/** Builds an app with one `PlatformTrustStack` per environment. Environment names must be unique. */
export function buildApp(envs: readonly EnvironmentConfig[], options: BuildAppOptions = {}): App {
  const seen = new Set<string>();
  for (const env of envs) {
    if (seen.has(env.name)) {
      throw duplicate(
        'environment name',
        env.name,
        'give every environment its own name; each becomes a stack and a Vault name prefix.',
      );
    }
    seen.add(env.name);
  }
  const app = new App({ outdir: options.outdir, skipValidation: false });
  for (const env of envs) new PlatformTrustStack(app, { ...options.stackProps, environment: env });
  return app;
}
