/**
 * The node's rule for replacing its bootstrap bundle with a newer one.
 */
import { AnalysedBundle, analyseBundle, RootPin } from './bundle';
import { Ed25519Options, resolveEd25519Engine } from './ed25519';
import { describeError } from './errors';
import type { BootstrapBundleV1, SignedEnvelope, VerifierSetV1 } from './formats';
import { SignatureAccepted, SignatureRejected, nowMillis } from './signature-check';
import { BundleRejectReason, verifyEnvelope } from './verify-bundle';
import { CompiledVerifierSet, compileVerifierSet } from './verifier-set';

/** What the node holds now. */
export interface CurrentTrust {
  /** The bundle the node runs with. */
  readonly bundle: BootstrapBundleV1;
  /**
   * The task verifier set the node trusts, which signs bundle updates.
   * @default - `bundle.task_verifiers.set`
   */
  readonly verifiers?: VerifierSetV1 | string;
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
  /** The current bundle or verifier set the node holds does not validate. */
  | 'invalid-current'
  /** The new bundle is for another environment. */
  | 'environment-mismatch'
  /** The new sequence is not above the current one (an old or replayed bundle). */
  | 'sequence-not-increasing'
  /** `inUsePin` names no root of the current bundle. */
  | 'in-use-root-unknown'
  /** A root the node is using is missing from the new bundle, or expired in it, before its overlap ends. */
  | 'root-dropped';

/** An accepted update. */
export interface BundleUpdateAccepted {
  readonly ok: true;
  readonly bundle: BootstrapBundleV1;
  readonly roots: readonly RootPin[];
  readonly signer: Omit<SignatureAccepted, 'ok'>;
}

/** Outcome of {@link acceptBundleUpdate}. */
export type BundleUpdateResult = BundleUpdateAccepted | SignatureRejected<BundleUpdateRejectReason>;

/**
 * Decides whether a node replaces `current.bundle` with the bundle in `nextEnvelope`. Refuses:
 * - an envelope that `verifyBundle` refuses under the verifiers the node ALREADY trusts
 *   (`current.verifiers`, default the current bundle's set) at `now`: a key that only the new bundle
 *   introduces cannot vouch for it, and retired or expired versions cannot sign;
 * - a bundle for another `environment`;
 * - a `sequence` lower than or equal to the current one (old bundles and replays);
 * - a bundle that drops a root the node is using before its overlap ends. The protected roots are
 *   the one matching `options.inUsePin` (unless its own `until` has passed), or by default every
 *   `current` root of the current bundle and every `previous` root whose `until` is after `now`
 *   (a `next` root is not in use yet, so a rotation can be abandoned). A protected root must be in
 *   the new bundle (same SPKI pin) and, unless it is `current` there, its `until` (if any) must be
 *   after `now`.
 *   A root whose overlap has ended may be dropped.
 *
 * Never throws on bad input; throws a TypeError only for an invalid `now` or `options.engine`.
 */
export function acceptBundleUpdate(
  current: CurrentTrust,
  nextEnvelope: SignedEnvelope | string,
  now: Date,
  options?: BundleUpdateOptions,
): BundleUpdateResult {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  let held: AnalysedBundle;
  let verifiers: CompiledVerifierSet;
  try {
    held = analyseBundle(current?.bundle, 'current.bundle');
    verifiers =
      current.verifiers === undefined ? held.verifiers : compileVerifierSet(current.verifiers, 'current.verifiers');
  } catch (e) {
    return reject('invalid-current', describeError(e));
  }
  const verified = verifyEnvelope(nextEnvelope, verifiers, nowMs, engine);
  if (!verified.ok) return verified;
  const next = verified.analysed;

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
  return { ok: true, bundle: next.bundle, roots: next.roots, signer: verified.signer };
}

/** A current root never expires by itself; other roots are in use until their `until` (if any). */
function overlapOpen(bundle: AnalysedBundle, i: number, nowMs: number): boolean {
  if (bundle.roots[i].state === 'current') return true;
  const until = bundle.rootUntilMs[i];
  return until === undefined || nowMs < until;
}

function reject(reason: BundleUpdateRejectReason, detail: string): SignatureRejected<BundleUpdateRejectReason> {
  return { ok: false, reason, detail };
}
