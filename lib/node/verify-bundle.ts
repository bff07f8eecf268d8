/**
 * Verification of a signed bootstrap bundle envelope under a key set the caller trusts.
 */
import { RootPin } from './bundle';
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
import { NodeTrustError, NodeTrustErrorCode, describeError } from './errors';
import type {
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleKeySetV1,
  DsseEnvelope,
  SignedEnvelope,
  VerifierSetV1,
} from './formats';
import { SignatureRejected, nowMillis } from './signature-check';
import { CompiledKeySet, compileBundleKeySet, compileVerifierSet } from './verifier-set';

export type { BundleRejectReason, BundleSigner } from './envelope-check';

/**
 * Which kind of key accepted a bundle:
 * - `bundle-key`: a bundle key (v2 envelopes; the only kind a node that holds a v2 bundle accepts);
 * - `task-key`: a task verifier, through a v1 envelope (format v1 only);
 * - `task-key-migration`: a task verifier held in a v1 bundle, through a v2 envelope (the one-time move from
 *   v1 to v2, see `acceptBundleUpdate`).
 */
export type BundleSignerKind = 'bundle-key' | 'task-key' | 'task-key-migration';

/** A verified bundle. */
export interface BundleAccepted<B extends BootstrapBundle = BootstrapBundle> {
  /** Always `true`: tells a verified bundle from a {@link SignatureRejected}. */
  readonly ok: true;
  /** The validated bundle, deeply frozen. */
  readonly bundle: B;
  /** SPKI pin of each control-plane root, in bundle order. */
  readonly roots: readonly RootPin[];
  /** The key version that accepted the envelope's signature. */
  readonly signer: BundleSigner;
  /** The kind of key that signer belongs to. */
  readonly signerKind: BundleSignerKind;
}

/** Outcome of {@link verifyBundle}. */
export type BundleVerification<B extends BootstrapBundle = BootstrapBundle> =
  BundleAccepted<B> | SignatureRejected<BundleRejectReason>;

/**
 * Verifies a signed bootstrap bundle envelope under a key set the caller already trusts, at `now`. The
 * envelope's `payloadType` decides the format:
 * - v2 (`BUNDLE_PAYLOAD_TYPE_V2`, a DSSE envelope): `trusted` must be a bundle key set (a task verifier set is
 *   refused as `wrong-key-kind`). A signature counts when its `keyid` is exactly the kid of an entry of the set
 *   (`unknown-key` otherwise: retired or never published) and its `sig` is the standard base64 of a raw 64-byte
 *   Ed25519 signature over `PAE(payloadType, payload)` (`malformed-signature` otherwise, including `vault:v<N>:`
 *   strings) that verifies under that entry, with the acceptance rules of `verifyTask` (active, next, grace
 *   before `until`).
 * - v1 (`BUNDLE_PAYLOAD_TYPE`): `trusted` must be a task verifier set (a bundle key set is refused as
 *   `wrong-key-kind`); a signature is a Vault transit string `vault:v<N>:<base64>` over the PAE, its entry picked
 *   by N, and its `keyid` must be that entry's kid.
 * Only then is the payload parsed: it must be UTF-8 JSON holding no secrets and a valid bundle (see
 * `validateBundle`) of the envelope's format. A v2 bundle whose `freshness.expires` is at or before `now` is
 * refused as `expired` (fail closed: a bundle past its expiry is never taken, however well signed).
 *
 * `envelope` may be the object or its JSON text; `trusted` the set or its canonical text. Never throws on bad
 * input; throws a TypeError only for an invalid `now` or `options.engine`.
 */
export function verifyBundle(
  envelope: SignedEnvelope | DsseEnvelope | string,
  trusted: VerifierSetV1,
  now: Date,
  options?: Ed25519Options,
): BundleVerification<BootstrapBundleV1>;
export function verifyBundle(
  envelope: SignedEnvelope | DsseEnvelope | string,
  trusted: BundleKeySetV1,
  now: Date,
  options?: Ed25519Options,
): BundleVerification<BootstrapBundleV2>;
export function verifyBundle(
  envelope: SignedEnvelope | DsseEnvelope | string,
  trusted: VerifierSetV1 | BundleKeySetV1 | string,
  now: Date,
  options?: Ed25519Options,
): BundleVerification;
export function verifyBundle(
  envelope: SignedEnvelope | DsseEnvelope | string,
  trusted: VerifierSetV1 | BundleKeySetV1 | string,
  now: Date,
  options?: Ed25519Options,
): BundleVerification {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  const opened = openEnvelope(envelope);
  if ('ok' in opened) return opened;
  let set: CompiledKeySet;
  try {
    set = opened.version === 2 ? compileBundleKeySet(trusted) : compileVerifierSet(trusted);
  } catch (e) {
    const wrongKind = e instanceof NodeTrustError && e.code === NodeTrustErrorCode.WRONG_KEY_KIND;
    return reject(wrongKind ? 'wrong-key-kind' : 'invalid-verifier-set', describeError(e));
  }
  const signed =
    opened.version === 2
      ? checkDsseSignatures(opened, set, nowMs, engine)
      : checkV1Signatures(opened, set as CompiledKeySet<VerifierSetV1>, nowMs, engine);
  if (!signed.ok) return signed;
  const payload = analyseSignedPayload(opened);
  if (!payload.ok) return payload;
  const expired = refuseExpired(payload.analysed, nowMs);
  if (expired) return expired;
  const { bundle, roots } = payload.analysed;
  return {
    ok: true,
    bundle,
    roots,
    signer: signed.signer,
    signerKind: opened.version === 2 ? 'bundle-key' : 'task-key',
  };
}
