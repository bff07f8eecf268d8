/**
 * When the new bundle is unknown until apply (public keys or certificates are read or made at apply): what the
 * configuration (the planned resources) says about each part of it, and the evidence the trust review uses.
 * Internal to lib/review.
 */
import { certificateFacts } from '../certificate-facts';
import type { BundleContentChange, BundleKeySetChange, KeyRotation } from '../explanation';
import { actionKind, str } from '../plan-json';
import type { BundleFindings, Inputs } from './bundle-contents';
import { BundleSide, chain, inputsDigests, isBundleKeySet, keySet, keySetOf } from './bundle-read';
import { bundleSecrets } from './bundle-sequence';
import { nodeCaChanges, rootViews } from './ca';
import { OutputRole, TrustKind } from '../manifest';
import { Context, outputName, outputSide, tick } from './context';
import { pkiMounts } from './manifest-read';
import { deriveVerifierSet, keySetDiff } from './verifier-sets';

const short = (digest: string) => `${digest.slice(0, 12)}…`;

/** What the configuration says about an unknown new bundle, for the trust review. */
export interface ConfigEvidence {
  /** The inputs digest (what the code states for the bundle), published and written. */
  readonly digest: 'unchanged' | 'changed' | 'unavailable';
  readonly digests?: { readonly published?: string; readonly written?: string };
  /** Set when the planned resources change the roots, the node-cert chain or the bundle key: what they show. */
  readonly roots?: string;
  readonly nodeCertChain?: string;
  readonly bundleKeys?: string;
  /** Transit keys created in the plan, other than the task key, when the old bundle has no bundle keys (v1). */
  readonly newTransitKeys?: readonly string[];
}

/** A key's plan in words: `rotation to v3 (created at apply); min_encryption_version 1 → 2`. */
function keyPlanText(k: KeyRotation): string | undefined {
  const parts: string[] = [];
  if (k.keyAction && k.keyAction !== 'no-op')
    parts.push(`the transit key is ${k.keyAction === 'create' ? 'created' : k.keyAction}`);
  for (const r of k.rotations)
    parts.push(`rotation to v${r.version ?? '?'}: ${r.action}${r.adopts ? ' (adopts)' : ''}`);
  const f = k.floors;
  if (f && f.action !== 'no-op') {
    const n = (x: number | undefined) => (x === undefined ? 'known after apply' : String(x));
    parts.push(
      `floors: min_decryption_version ${n(f.before?.minDecryptionVersion)} → ${n(f.after?.minDecryptionVersion)}, min_encryption_version ${n(f.before?.minEncryptionVersion)} → ${n(f.after?.minEncryptionVersion)}`,
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** The new bundle is unknown: what the planned resources say about each part of it. */
export function unknownAfter(
  ctx: Context,
  inputs: Inputs,
  output: string,
  action: BundleContentChange['action'],
  before: BundleSide,
  after: BundleSide,
  b: Record<string, unknown> | undefined,
): BundleFindings {
  const known: string[] = [];
  const secrets = bundleSecrets(ctx);
  const secret = secrets.length === 1 ? secrets[0] : undefined;

  // Sequence: the bundle secret's custom metadata.
  const seq = inputs.bundles.find((x) => x.subject === secret?.address)?.sequenceAfter;
  if (seq !== undefined) known.push(`sequence ${seq} (the bundle secret's custom metadata)`);

  // The inputs digest: what the code states for the URL, environment, paths, roots and node-cert chain.
  const digests = secret ? inputsDigests(secret) : {};
  const digest: ConfigEvidence['digest'] =
    digests.published === undefined || digests.written === undefined
      ? 'unavailable'
      : digests.published === digests.written
        ? 'unchanged'
        : 'changed';
  if (digest === 'unchanged') {
    known.push(
      'the inputs digest is unchanged: the control-plane URL, environment, paths, public HTTPS roots, node-cert CA chain, expiry, refresh hint and revocations, as the code states them, stay as they are',
    );
  } else if (digest === 'changed') {
    known.push(
      `the inputs digest changes (${tick(short(digests.published!))} → ${tick(short(digests.written!))}): the code changes something it states for the bundle (URL, environment, paths, roots, node-cert chain, expiry, refresh hint, revocations or the active signing version)`,
    );
  }

  // Public HTTPS roots and the node-cert CA chain: the PKI resources in the plan, told apart by their mounts.
  const beforeChain = chain(b);
  const chainPins = (beforeChain ?? []).map((c) => c.pin);
  const rootPins = (rootViews(b) ?? []).flatMap((r) => (r.facts ? [r.facts.pin] : []));
  const isControlPlane = controlPlaneMounts(ctx, rootPins, chainPins);
  const rootLines = [
    ...inputs.ca.issuers
      .filter((i) => isControlPlane(i.backend))
      .map(
        (i) =>
          `root issuer ${tick(i.issuerName ?? i.address)} in ${tick(i.backend ?? '?')}: ${i.action}${i.action === 'create' || i.action === 'replace' ? ' (its certificate is made at apply)' : ''}`,
      ),
    ...inputs.ca.defaultIssuers
      .filter((d) => isControlPlane(d.backend))
      .map(
        (d) =>
          `default issuer of ${tick(d.backend ?? '?')}: ${tick(d.before ?? 'none')} → ${tick(d.after ?? (d.action === 'delete' ? 'removed' : 'known after apply'))}`,
      ),
  ];
  // A first bundle has nothing to compare with: every part of it is new, and known after apply.
  const roots = b && rootLines.length ? rootLines.join('; ') : undefined;
  const nodeCertChain =
    beforeChain && nodeCaChanges(ctx.managed, chainPins)
      ? 'node-cert CA resources change: the new chain is known after apply'
      : undefined;
  if (!b) {
    known.push('a first bundle: there is no old bundle to compare with');
  } else {
    known.push(`public HTTPS roots: ${roots ?? 'no control-plane root issuer or default issuer changes'}`);
    known.push(`node-cert CA chain: ${nodeCertChain ?? 'no node-cert CA resource changes'}`);
  }

  // Task verifiers: the verifier set output, its schedule, or the floors and rotations.
  const tb = keySet(b, 'task_verifiers');
  const taskVerifiersOutput = outputName(ctx, OutputRole.TASK_VERIFIERS);
  const vs =
    inputs.verifierSets.find((s) => s.key !== undefined && s.key === tb?.key) ??
    inputs.verifierSets.find((s) => s.output === taskVerifiersOutput);
  let taskVerifiers: BundleKeySetChange | undefined;
  if (vs) {
    taskVerifiers = {
      ...(tb?.key !== undefined ? { keyBefore: tb.key } : {}),
      ...(vs.key !== undefined ? { keyAfter: vs.key } : {}),
      ...(tb ? { before: tb.views } : {}),
      ...(vs.after ? { after: vs.after, afterFrom: vs.afterSource === 'none' ? 'output' : vs.afterSource } : {}),
    };
    known.push(`task verifiers: as ${tick(vs.output)} under Verifier set`);
  } else if (tb && ctx.outputs.some(([n, c]) => n === taskVerifiersOutput && actionKind(c.actions) === 'no-op')) {
    known.push(`task verifiers: ${tick(taskVerifiersOutput)} does not change`);
  }

  // Bundle keys (format v2): the bundle key set output when it is known, else the key's transit resources.
  const bb = keySet(b, 'bundle_keys');
  let bundleKeys: BundleKeySetChange | undefined;
  let bundleKeyText: string | undefined;
  const keysOutput = ctx.outputs.find(
    ([, c]) => isBundleKeySet(outputSide(c, 'before')) || isBundleKeySet(outputSide(c, 'after')),
  );
  const outBefore = keysOutput ? keySetOf(outputSide(keysOutput[1], 'before')) : undefined;
  const outAfter = keysOutput ? keySetOf(outputSide(keysOutput[1], 'after')) : undefined;
  const k = bb?.key !== undefined ? inputs.keys.find((x) => x.key === bb.key) : undefined;
  const plan = k ? keyPlanText(k) : undefined;
  if (keysOutput && outAfter && (bb || outBefore)) {
    const from = bb ?? outBefore!;
    const lines = keySetDiff(from.views, outAfter.views);
    if (from.key !== outAfter.key) lines.unshift(`key ${tick(from.key ?? 'none')} → ${tick(outAfter.key ?? 'none')}`);
    if (lines.length) {
      bundleKeys = {
        ...(from.key !== undefined ? { keyBefore: from.key } : {}),
        ...(outAfter.key !== undefined ? { keyAfter: outAfter.key } : {}),
        before: from.views,
        after: outAfter.views,
        afterFrom: 'output',
      };
      bundleKeyText = `bundle keys (as ${tick(keysOutput[0])} shows them): ${lines.join('; ')}.`;
      known.push(bundleKeyText);
    } else {
      known.push(`bundle keys: as before (${tick(keysOutput[0])} shows the same set)`);
    }
  } else if (bb && k && plan) {
    const derived =
      k.floors?.after && k.latestAfter !== undefined ? deriveVerifierSet(k.floors.after, k.latestAfter) : undefined;
    bundleKeys = {
      keyBefore: bb.key!,
      keyAfter: k.key,
      before: bb.views,
      ...(derived ? { after: derived, afterFrom: 'derived' as const } : {}),
    };
    bundleKeyText = `bundle key ${tick(k.keyPath)}: ${plan}; the new bundle key set is known after apply.`;
    known.push(
      `bundle key ${tick(k.keyPath)}: ${plan}${derived ? ' (expected states derived from its floors and rotations)' : ''}`,
    );
  } else if (bb) {
    known.push(`bundle keys: no rotation, floor or key change of ${tick(bb.key ?? '?')} in this plan`);
  }
  // A bundle without bundle keys (v1): a new transit key besides the task key may be the bundle signing key.
  const newTransitKeys =
    b && !bb ? inputs.keys.filter((x) => x.keyAction === 'create' && x.key !== tb?.key).map((x) => x.keyPath) : [];
  if (newTransitKeys.length) {
    known.push(`new transit keys: ${newTransitKeys.map((p) => `${tick(p)}`).join(', ')} (created in this plan)`);
  }

  return {
    content: {
      output,
      action,
      afterKnown: false,
      fields: [],
      ...(taskVerifiers ? { taskVerifiers } : {}),
      ...(bundleKeys ? { bundleKeys } : {}),
      knownFromConfig: known,
    },
    before,
    after,
    config: {
      digest,
      ...(digest !== 'unavailable' ? { digests } : {}),
      ...(roots ? { roots } : {}),
      ...(nodeCertChain ? { nodeCertChain } : {}),
      ...(bundleKeyText ? { bundleKeys: bundleKeyText } : {}),
      ...(newTransitKeys.length ? { newTransitKeys } : {}),
    },
  };
}

/**
 * Which PKI mounts hold the control-plane roots: the manifest says so when the plan has one. Without: the mounts of root issuers whose pin the old bundle lists as a
 * public HTTPS root. When none does, any mount that holds no node-cert CA material counts (a mount that cannot be
 * placed counts as control plane: a trust change either way).
 */
function controlPlaneMounts(ctx: Context, rootPins: readonly string[], chainPins: readonly string[]) {
  if (ctx.manifest) {
    // The manifest places every PKI mount: a mount it does not list counts as control plane (a trust change).
    const nodeMounts = pkiMounts(ctx.manifest, TrustKind.NODE_CERT);
    return (backend: string | undefined) => backend === undefined || !nodeMounts.has(backend);
  }
  const control = new Set<string>();
  const node = new Set<string>();
  for (const e of ctx.managed) {
    const backend = str(e.after ?? e.before, 'backend');
    if (!backend) continue;
    if (NODE_CA_TYPES.has(e.type)) node.add(backend);
    if (e.type !== 'vault_pki_secret_backend_root_cert') continue;
    for (const v of [e.before, e.after]) {
      const pin = certificateFacts(v?.certificate)?.pin;
      if (pin && rootPins.includes(pin)) control.add(backend);
      if (pin && chainPins.includes(pin)) node.add(backend);
    }
  }
  return (backend: string | undefined) =>
    backend === undefined || (control.size ? control.has(backend) : !node.has(backend));
}

const NODE_CA_TYPES = new Set([
  'vault_pki_secret_backend_intermediate_cert_request',
  'vault_pki_secret_backend_intermediate_set_signed',
  'vault_pki_secret_backend_root_sign_intermediate',
]);
