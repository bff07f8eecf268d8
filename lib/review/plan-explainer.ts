/**
 * Plan explainer: reads the JSON of `tofu show -json <planfile>` for a platform trust stack and says what a
 * reviewer needs to know: trust changes first, key rotations, the verifier set before and after, CA and pin
 * changes, policy changes per path, the bundle field by field, and a loud warning for anything destructive, any
 * version going down, or anything signed during a plan.
 *
 * Pure and deterministic (no clock, no environment, sorted output). It never prints secret values: it reads
 * only versions, states, dates, names, paths, policy text, public certificates and public key ids.
 *
 * Plan JSON it reads: `resource_changes[]` (`address`, `mode`, `type`, `change.actions`, `change.before`,
 * `change.after`, `change.after_unknown`, `change.replace_paths`, `action_reason`), `output_changes`
 * (`actions`, `before`, `after`, `after_unknown`), `prior_state.values.root_module` (unchanged resources),
 * `configuration.root_module.resources[].expressions.*.references` (to name an issuer that is unknown until
 * apply, and whether a data source is still declared), `format_version` and `terraform_version`.
 *
 * The stack manifest (`platform_trust_manifest`, see `manifest.ts`) is the contract with the stack: when the plan
 * carries it, the explainer finds rotations (and their versions), the bundle secret, the task key and the PKI
 * mounts of each trust by address and role, and the outputs below by the names it lists. Without it (a stack from
 * before the manifest), it falls back to heuristics: `RotateToV<n>` logical ids and construct-id fragments for
 * rotations, `Bundle` in the address of a bundle secret whose data is unknown, `pubkeys` in an output name, and
 * certificate pins for the PKI mounts. Outputs read by name (manifest roles in `private/manifest-read.ts`, default
 * names `bootstrap_bundle`, `bootstrap_envelope`, `task_signing_pubkeys`, `task_signing_active_version`,
 * `bundle_signing_active_version`; both checked against the stack by a test); others by their format id (verifier
 * sets, bundle key sets, schedules). Resource attributes:
 * `vault_generic_endpoint` `path`, `data_json`, `disable_delete` (a `<mount>/sign/<key>` endpoint that never
 * deletes is an apply-time signature); `vault_transit_sign` (data source) `path`, `name`;
 * `vault_transit_secret_backend_key` `backend`, `name`, `latest_version`; `vault_policy` `name`, `policy`; `vault_pki_secret_backend_root_cert` `backend`, `issuer_name`, `issuer_id`,
 * `common_name`, `key_type`, `key_bits`, `certificate`; `vault_pki_secret_backend_config_issuers` `backend`,
 * `default`; `vault_kv_secret_v2` `custom_metadata[0].data`, `metadata.custom_metadata`, `data_json`; names
 * (`path`, `name`, `role_name`, `mount`) of anything deleted or replaced.
 *
 * Bundle: `bootstrap_bundle` (compact JSON of a bundle of format v1 or v2) before and after, field by field, and
 * `bootstrap_envelope` (unknown in a plan: it is signed during apply). Trust changes (control-plane URL, public
 * HTTPS roots, node-cert CA chain, bundle keys, bundle format) come first; a `vault_transit_sign` data source, or
 * an envelope whose signature is already in the plan, is a loud warning (signing during a plan).
 *
 * Layout: this file runs the steps in order; each step lives in `private/` by responsibility (`context` reads the
 * plan and its manifest (`manifest-read`), `destructive` counts and warns, `policies`, `keys`, `verifier-sets`, `ca`, `bundle-read`,
 * `bundle-sequence`, `bundle-contents`, `bundle-config`, `trust`, `signing`; `markdown` and `render-bundle` for the
 * renderer); `exit-decision` turns an explanation into an exit code for the CLI.
 */
import { invalidPlanJson } from './private/errors';
import type { Explanation, OutputLine, ResourceLine } from './explanation';
import { actionKind, checkPlanJson, isUnknown } from './plan-json';
import { explainBundleContents } from './private/bundle-contents';
import { explainBundles } from './private/bundle-sequence';
import { explainCa } from './private/ca';
import { buildContext } from './private/context';
import { sortWarnings, summarize, why } from './private/destructive';
import { explainKeys } from './private/keys';
import { explainPolicies } from './private/policies';
import { explainRevocations } from './private/revocations';
import { explainSigning } from './private/signing';
import { explainTrust } from './private/trust';
import { explainVerifierSets } from './private/verifier-sets';

export { TrustChangeKind, WarningKind } from './explanation';
export type {
  ApplyTimeSignatureChange,
  BundleChange,
  BundleContentChange,
  BundleFieldChange,
  BundleKeySetChange,
  BundleRootsChange,
  CaChanges,
  ChainCertificate,
  DefaultIssuerChange,
  EmergencyReview,
  EnvelopeChange,
  Explanation,
  Floors,
  IssuerChange,
  KeyRotation,
  OutputLine,
  PlanSummary,
  PlanWarning,
  PolicyChange,
  ResourceLine,
  RevokedItem,
  RootView,
  RotationStep,
  SigningReview,
  TrustChange,
  VerifierSetChange,
  VerifierView,
} from './explanation';
export type { ExitDecision, ExitOptions } from './exit-decision';
export { EXIT_DESTRUCTIVE, EXIT_TRUST_CHANGE, exitDecision } from './exit-decision';
export type { RenderOptions } from './render-markdown';
export { renderMarkdown } from './render-markdown';

/**
 * Explains a plan. `planJson` is the parsed JSON of `tofu show -json <planfile>` (or its text).
 * Throws a PlatformTrustError when the input is not plan JSON.
 */
export function explainPlan(planJson: unknown): Explanation {
  const plan = checkPlanJson(typeof planJson === 'string' ? parseText(planJson) : planJson);
  const ctx = buildContext(plan);
  const summary = summarize(ctx);
  const { policies, texts } = explainPolicies(ctx);
  const allKeys = explainKeys(ctx, texts);
  const keys = allKeys.filter(
    (k) =>
      (k.keyAction !== undefined && k.keyAction !== 'no-op') ||
      k.rotations.length > 0 ||
      (k.floors !== undefined && k.floors.action !== 'no-op') ||
      (k.signing !== undefined && k.signing.before.join() !== k.signing.after.join()),
  );
  const verifierSets = explainVerifierSets(ctx, allKeys);
  const ca = explainCa(ctx);
  const bundles = explainBundles(ctx);
  const findings = explainBundleContents(ctx, { ca, keys: allKeys, verifierSets, bundles });
  const revocations = explainRevocations(ctx, findings);
  const trustChanges = explainTrust(ctx, findings, revocations.trustChanges);
  const signing = explainSigning(ctx);
  const resources: ResourceLine[] = ctx.all
    .filter((e) => e.rc && (e.mode === 'data' ? e.kind === 'read' : e.kind !== 'no-op'))
    .map((e) => {
      const w = why(e.rc);
      return { address: e.address, type: e.type, action: e.kind, ...(w ? { why: w } : {}) };
    });
  const outputs: OutputLine[] = ctx.outputs
    .filter(([, c]) => actionKind(c.actions) !== 'no-op')
    .map(([name, c]) => ({ name, action: actionKind(c.actions), afterKnown: !isUnknown(c) }));
  return {
    ...(plan.format_version ? { formatVersion: plan.format_version } : {}),
    ...(plan.terraform_version ? { engineVersion: plan.terraform_version } : {}),
    summary,
    warnings: sortWarnings(ctx.warnings),
    keys,
    verifierSets,
    ca,
    policies,
    bundles,
    bundleContents: findings.map((f) => f.content),
    trustChanges,
    emergencies: revocations.emergencies,
    signing,
    resources,
    outputs,
  };
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidPlanJson(`it is not valid JSON (${(e as Error).message})`, text.slice(0, 40));
  }
}
