/**
 * The node's rule for replacing its bootstrap bundle with a newer one.
 */
import { AnalysedBundle, RootPin, analyseBundle } from './bundle';
import { Ed25519Options, resolveEd25519Engine } from './ed25519';
import {
  BundleRejectReason,
  BundleSigner,
  analyseSignedPayload,
  checkDsseSignatures,
  checkV1Signatures,
  openEnvelope,
  refuseExpired,
  reject,
} from './envelope-check';
import { describeError } from './errors';
import { BUNDLE_SCHEMA_V2 } from './formats';
import type {
  BootstrapBundle,
  BootstrapBundleV2,
  BundleKeySetV1,
  DsseEnvelope,
  SignedEnvelope,
  VerifierSetV1,
} from './formats';
import { revokedListedProblems } from '../kernel/freshness';
import { SignatureRejected, nowMillis } from './signature-check';
import type { BundleSignerKind } from './verify-bundle';
import { CompiledBundleKeySet, CompiledVerifierSet, compileBundleKeySet, compileVerifierSet } from './verifier-set';

/** What the node holds now. */
export interface CurrentTrust {
  /** The bundle the node runs with (format v1 or v2). */
  readonly bundle: BootstrapBundle;
  /**
   * The task verifier set the node trusts. With a v1 bundle it signs bundle updates (v1 envelopes, and the v2
   * envelope that migrates the node). With a v2 bundle it never does: it only names the task keys whose
   * signatures on a bundle are refused as `task-key-signature`.
   * @default - `bundle.task_verifiers.set`
   */
  readonly verifiers?: VerifierSetV1 | string;
  /**
   * The bundle key set the node trusts, which signs bundle updates (v2 bundles only; with a v1 bundle it is
   * refused as `invalid-current`).
   * @default - `bundle.bundle_keys.set`
   */
  readonly bundleKeys?: BundleKeySetV1 | string;
}

/** Options of {@link acceptBundleUpdate}. */
export interface BundleUpdateOptions extends Ed25519Options {
  /**
   * SPKI pin (`sha256:<hex>`) of the control-plane root the node is actually using. When set,
   * only that root is protected from being dropped.
   * @default - every `current` root, and every `previous` root whose `until` has not passed
   */
  readonly inUsePin?: string;
}

/** Why an update was refused. */
export type BundleUpdateRejectReason =
  | BundleRejectReason
  /** The current bundle or a key set the node holds does not validate. */
  | 'invalid-current'
  /** The node holds a v2 bundle and the update is a v1 envelope (signed by the task key). */
  | 'downgrade'
  /**
   * The node holds a v2 bundle and every signature of the update is by one of its task verifiers: tasks keys
   * never sign bundles (domain separation), whoever holds the task signing grant cannot re-point nodes.
   */
  | 'task-key-signature'
  /** The new bundle is for another environment. */
  | 'environment-mismatch'
  /** The new sequence is not above the current one (an old or replayed bundle). */
  | 'sequence-not-increasing'
  /** `inUsePin` names no root of the current bundle. */
  | 'in-use-root-unknown'
  /**
   * A root the node is using is missing from the new bundle, or expired in it, before its overlap ends (a root
   * whose pin the new bundle revokes may be dropped at once).
   */
  | 'root-dropped'
  /**
   * The held bundle (v2) revokes a bundle key version, and the update's signature by that version is the one it
   * offers: a revoked key never signs again.
   */
  | 'revoked-key'
  /**
   * The update lists again, in its task verifier set, its bundle key set or its roots, an item that the held
   * bundle revokes: a revoked key version or root never comes back.
   */
  | 'revocation-lifted';

/** An accepted update. */
export interface BundleUpdateAccepted<B extends BootstrapBundle = BootstrapBundle> {
  /** Always `true`: tells an accepted update from a {@link SignatureRejected}. */
  readonly ok: true;
  /** The new bundle, validated and deeply frozen. */
  readonly bundle: B;
  /** SPKI pin of each control-plane root of the new bundle, in bundle order. */
  readonly roots: readonly RootPin[];
  /** The key version that signed the update. */
  readonly signer: BundleSigner;
  /** `bundle-key` (v2 holder), `task-key` (v1 holder, v1 envelope) or `task-key-migration` (v1 holder, v2 envelope). */
  readonly signerKind: BundleSignerKind;
  /** True for the one-time move from a v1 bundle to a v2 bundle. */
  readonly migratedFromV1: boolean;
}

/** Outcome of {@link acceptBundleUpdate}. */
export type BundleUpdateResult<B extends BootstrapBundle = BootstrapBundle> =
  BundleUpdateAccepted<B> | SignatureRejected<BundleUpdateRejectReason>;

/**
 * Decides whether a node replaces `current.bundle` with the bundle in `nextEnvelope`. Only keys the node
 * ALREADY trusts vouch for an update (a key that only the new bundle introduces cannot, as TUF chains root N
 * to N+1), with the acceptance rules of `verifyTask` (active, next, grace before `until`):
 * - the node holds a v2 bundle: the envelope must be v2 (a v1 envelope is refused as `downgrade`) and carry a
 *   DSSE signature by a key version of the held bundle keys (`current.bundleKeys`, default
 *   `bundle.bundle_keys.set`); signatures whose keyid is a held task verifier's kid are ignored, and when they
 *   are all there is the update is refused as `task-key-signature`; a keyid in no held set is `unknown-key`
 *   (a retired or never published bundle key);
 * - the node holds a v1 bundle: a v1 envelope is verified as `verifyBundle` does, under the held verifiers
 *   (`current.verifiers`, default `bundle.task_verifiers.set`); a v2 envelope is accepted when one of its DSSE
 *   signatures is by a held task verifier version (keyid = that entry's kid): the one-time move to v2
 *   (`migratedFromV1: true`). Its bundle-key signatures are not trusted yet: the node holds no bundle key.
 * A signature whose keyid names a bundle key version that the held bundle revokes (`revoked.bundle_key_versions`,
 * keyid `<held bundle key>:v<version>:...`) never counts, even when `current.bundleKeys` lists it: `revoked-key`.
 * Then the new bundle must be valid and of the envelope's format, and the update is refused:
 * - when it has expired (v2: `freshness.expires` at or before `now`): `expired`. A held bundle that has expired
 *   does not stop an update: its keys still vouch for a fresh bundle, which is how a node recovers;
 * - for another `environment`;
 * - with a `sequence` lower than or equal to the current one (old bundles and replays);
 * - when it lists an item that the held bundle revokes (`revocation-lifted`): a task key version in its task
 *   verifier set (same task key name), a bundle key version in its bundle key set (same bundle key name), or a
 *   revoked pin among its roots;
 * - when it drops a root the node is using before its overlap ends. The protected roots are
 *   the one matching `options.inUsePin` (unless its own `until` has passed), or by default every
 *   `current` root of the current bundle and every `previous` root whose `until` is after `now`
 *   (a `next` root is not in use yet, so a rotation can be abandoned). A protected root must be in
 *   the new bundle (same SPKI pin) and, unless it is `current` there, its `until` (if any) must be
 *   after `now`.
 *   A root whose overlap has ended may be dropped, and so may a root whose pin the update itself revokes
 *   (`revoked.root_pins`), even inside its overlap.
 *
 * Never throws on bad input; throws a TypeError only for an invalid `now` or `options.engine`.
 */
export function acceptBundleUpdate(
  current: CurrentTrust & { readonly bundle: BootstrapBundleV2 },
  nextEnvelope: DsseEnvelope | SignedEnvelope | string,
  now: Date,
  options?: BundleUpdateOptions,
): BundleUpdateResult<BootstrapBundleV2>;
export function acceptBundleUpdate(
  current: CurrentTrust,
  nextEnvelope: DsseEnvelope | SignedEnvelope | string,
  now: Date,
  options?: BundleUpdateOptions,
): BundleUpdateResult;
export function acceptBundleUpdate(
  current: CurrentTrust,
  nextEnvelope: DsseEnvelope | SignedEnvelope | string,
  now: Date,
  options?: BundleUpdateOptions,
): BundleUpdateResult {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  let held: AnalysedBundle;
  let verifiers: CompiledVerifierSet;
  let bundleKeys: CompiledBundleKeySet | undefined;
  try {
    held = analyseBundle(current?.bundle, 'current.bundle');
    verifiers =
      current.verifiers === undefined ? held.verifiers : compileVerifierSet(current.verifiers, 'current.verifiers');
    if (current.bundleKeys !== undefined && !held.bundleKeys) {
      return reject('invalid-current', 'current.bundleKeys: a node that holds a v1 bundle holds no bundle keys');
    }
    bundleKeys =
      current.bundleKeys === undefined
        ? held.bundleKeys
        : compileBundleKeySet(current.bundleKeys, 'current.bundleKeys');
  } catch (e) {
    return reject('invalid-current', describeError(e));
  }
  const opened = openEnvelope(nextEnvelope);
  if ('ok' in opened) return opened;

  let signerKind: BundleSignerKind;
  let signed: { ok: true; signer: BundleSigner } | SignatureRejected<BundleUpdateRejectReason>;
  if (bundleKeys) {
    if (opened.version === 1) {
      return reject(
        'downgrade',
        'this node holds a bundle v2; an update in a v1 envelope (signed by the task key) cannot replace it',
      );
    }
    signerKind = 'bundle-key';
    signed = checkDsseSignatures(
      opened,
      bundleKeys,
      nowMs,
      engine,
      {
        set: verifiers,
        reason: 'task-key-signature',
        detail: `every signature is by a task verifier of ${verifiers.set.key}; bundles are accepted only under the bundle keys of ${bundleKeys.set.key}`,
      },
      { reason: 'revoked-key', check: (keyid) => revokedSigner(held, keyid) },
    );
  } else if (opened.version === 1) {
    signerKind = 'task-key';
    signed = checkV1Signatures(opened, verifiers, nowMs, engine);
  } else {
    signerKind = 'task-key-migration';
    signed = checkDsseSignatures(opened, verifiers, nowMs, engine);
    if (!signed.ok && signed.reason === 'unknown-key') {
      signed = reject(
        'unknown-key',
        `${signed.detail}; a node that holds a v1 bundle accepts its first v2 bundle only with a signature by a task verifier it holds`,
      );
    }
  }
  if (!signed.ok) return signed;
  const verified = analyseSignedPayload(opened);
  if (!verified.ok) return verified;
  const next = verified.analysed;
  const expired = refuseExpired(next, nowMs);
  if (expired) return expired;

  if (next.bundle.environment !== held.bundle.environment) {
    return reject(
      'environment-mismatch',
      `the update is for "${next.bundle.environment}", this node is in "${held.bundle.environment}"`,
    );
  }
  if (next.bundle.sequence <= held.bundle.sequence) {
    return reject(
      'sequence-not-increasing',
      `sequence ${next.bundle.sequence} is not above the current ${held.bundle.sequence}`,
    );
  }
  const lifted = liftedRevocation(held, next);
  if (lifted) return reject('revocation-lifted', lifted);
  const revokedPins = new Set(next.bundle.schema === BUNDLE_SCHEMA_V2 ? next.bundle.revoked.root_pins : []);

  let protectedRoots: number[];
  if (options?.inUsePin !== undefined) {
    const pin = typeof options.inUsePin === 'string' ? options.inUsePin.toLowerCase() : '';
    const i = held.roots.findIndex((r) => r.pin === pin);
    if (i < 0)
      return reject('in-use-root-unknown', `no root of the current bundle has pin ${JSON.stringify(options.inUsePin)}`);
    protectedRoots = overlapOpen(held, i, nowMs) ? [i] : [];
  } else {
    protectedRoots = held.roots
      .map((_, i) => i)
      .filter((i) => held.roots[i].state !== 'next' && overlapOpen(held, i, nowMs));
  }
  for (const i of protectedRoots) {
    const root = held.roots[i];
    if (revokedPins.has(root.pin)) continue; // revoked by the update: dropped at once, even inside its overlap
    const j = next.roots.findIndex((r) => r.pin === root.pin);
    if (j < 0) {
      return reject('root-dropped', `the update drops the ${root.state} root ${root.pin} before its overlap ends`);
    }
    const untilMs = next.rootUntilMs[j];
    if (next.roots[j].state !== 'current' && untilMs !== undefined && untilMs <= nowMs) {
      return reject(
        'root-dropped',
        `the update keeps root ${root.pin} only with an overlap that has already ended (${next.roots[j].until})`,
      );
    }
  }
  return {
    ok: true,
    bundle: next.bundle,
    roots: next.roots,
    signer: signed.signer,
    signerKind,
    migratedFromV1: signerKind === 'task-key-migration',
  };
}

/** What follows `<key>:v` in a kid: the version and 16 hex digits. */
const KID_TAIL_RE = /^([1-9][0-9]{0,9}):[0-9a-f]{16}$/;

/** Why a signature with `keyid` never counts for a node that holds `held`: it names a revoked bundle key version. */
function revokedSigner(held: AnalysedBundle, keyid: string): string | undefined {
  const b = held.bundle;
  if (b.schema !== BUNDLE_SCHEMA_V2 || b.revoked.bundle_key_versions.length === 0) return undefined;
  const prefix = `${b.bundle_keys.set.key}:v`;
  const m = keyid.startsWith(prefix) ? KID_TAIL_RE.exec(keyid.slice(prefix.length)) : null;
  if (!m || !b.revoked.bundle_key_versions.includes(Number(m[1]))) return undefined;
  return `keyid ${keyid} is bundle key version ${m[1]} of ${b.bundle_keys.set.key}, which the held bundle (sequence ${b.sequence}) revokes; a revoked bundle key never signs again`;
}

/**
 * Why `next` may not replace `held`: it lists an item that `held` revokes (versions compared only under the same
 * key name: a version of another transit key is another key). Undefined when it lists none.
 */
function liftedRevocation(held: AnalysedBundle, next: AnalysedBundle): string | undefined {
  const h = held.bundle;
  const n = next.bundle;
  if (h.schema !== BUNDLE_SCHEMA_V2 || n.schema !== BUNDLE_SCHEMA_V2) return undefined;
  const sameTaskKey = h.task_verifiers.set.key === n.task_verifiers.set.key;
  const sameBundleKey = h.bundle_keys.set.key === n.bundle_keys.set.key;
  const problems = revokedListedProblems(
    h.revoked,
    {
      taskKeyVersions: sameTaskKey ? n.task_verifiers.set.keys.map((e) => e.version) : [],
      bundleKeyVersions: sameBundleKey ? n.bundle_keys.set.keys.map((e) => e.version) : [],
      rootPins: next.roots.map((r) => r.pin),
    },
    'current.bundle.revoked',
  );
  if (problems.length === 0) return undefined;
  const items = problems.map((p) => p.message.replace(/ is revoked but still (in|a) .*$/, '')).join(', ');
  return `the update (sequence ${n.sequence}) trusts ${items} again, which the held bundle (sequence ${h.sequence}) revokes; a revoked key version or root never comes back`;
}

/** A current root never expires by itself; other roots are in use until their `until` (if any). */
function overlapOpen(bundle: AnalysedBundle, i: number, nowMs: number): boolean {
  if (bundle.roots[i].state === 'current') return true;
  const until = bundle.rootUntilMs[i];
  return until === undefined || nowMs < until;
}
