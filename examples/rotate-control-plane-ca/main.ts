/**
 * Rotating the control plane's public HTTPS root (a platform CA inside Vault): add the next root, switch the
 * default issuer, drop the old root after the overlap. Three pull requests, each a small edit reviewed as a plan.
 *
 *   npm run build && node dist/examples/rotate-control-plane-ca/main.js   # synthesizes the last step
 *
 * `asOf` is the date the config speaks for, written in code (never the clock): the phases are checked against it.
 * Every step bumps `bundle.sequence` because the bundle's roots change.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack, RootRotationPhase } from '../../lib';

const name = 'dev';
const controlPlaneUrl = 'https://control.dev.example.internal';
/** The root in use today (the stack's default issuer name for the "dev" environment). */
const currentRoot = { issuerName: 'dev-control-plane-root' };
/** The root that replaces it. Its issuer name fixes its Terraform address: never rename it. */
const nextRoot = { issuerName: 'dev-control-plane-root-2027' };
/** End of the overlap: after the last server certificate issued by the old root expires. */
const overlapUntil = '2027-06-30T00:00:00Z';

/** Before the rotation: one root. */
export const initial: EnvironmentConfig = {
  name,
  controlPlaneUrl,
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
  controlPlaneTrust: { platformCa: { root: currentRoot } },
};

/**
 * Step 1, PUBLISH_NEXT: Vault generates the next root; nodes receive it as `next`; the old root still issues.
 *
 * ```diff
 * -  controlPlaneTrust: { platformCa: { root: currentRoot } },
 * +  controlPlaneTrust: { platformCa: { root: currentRoot, asOf: '2026-12-01T00:00:00Z',
 * +    rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.PUBLISH_NEXT } } },
 * ```
 * Plan: a new `vault_pki_secret_backend_root_cert`; the bundle carries both roots.
 */
export const step1: EnvironmentConfig = {
  ...initial,
  bundle: { sequence: 2, freshness: { expires: '2027-02-01T00:00:00Z' } },
  controlPlaneTrust: {
    platformCa: {
      root: currentRoot,
      asOf: '2026-12-01T00:00:00Z',
      rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.PUBLISH_NEXT },
    },
  },
};

/**
 * Step 2, SWITCH (once every node holds the bundle with the next root): the next root becomes the default issuer;
 * the old root stays trusted as `previous` until `overlapUntil`.
 *
 * ```diff
 * -    asOf: '2026-12-01T00:00:00Z',
 * -    rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.PUBLISH_NEXT },
 * +    asOf: '2027-01-10T00:00:00Z',
 * +    rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.SWITCH },
 * ```
 * Plan: `DefaultIssuer` points at the new root; the plan fails if the new root was not published first.
 */
export const step2: EnvironmentConfig = {
  ...initial,
  bundle: { sequence: 3, freshness: { expires: '2027-02-01T00:00:00Z' } },
  controlPlaneTrust: {
    platformCa: {
      root: currentRoot,
      asOf: '2027-01-10T00:00:00Z',
      rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.SWITCH },
    },
  },
};

/**
 * Step 3, DROP_PREVIOUS (after `overlapUntil`): the old root leaves the bundle. It stays in Vault, declared, so
 * nothing is destroyed. Later, the rotation can be folded into `root: nextRoot, retiredRoots: [currentRoot]`:
 * the issuers keep their addresses, so that edit plans no change.
 *
 * ```diff
 * -    asOf: '2027-01-10T00:00:00Z',
 * -    rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.SWITCH },
 * +    asOf: '2027-07-01T00:00:00Z',
 * +    rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.DROP_PREVIOUS },
 * ```
 */
export const step3: EnvironmentConfig = {
  ...initial,
  bundle: { sequence: 4, freshness: { expires: '2027-02-01T00:00:00Z' } },
  controlPlaneTrust: {
    platformCa: {
      root: currentRoot,
      asOf: '2027-07-01T00:00:00Z',
      rotation: { next: nextRoot, overlapUntil, phase: RootRotationPhase.DROP_PREVIOUS },
    },
  },
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
