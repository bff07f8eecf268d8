/**
 * Enrolment: a node that holds no bundle yet accepts its first one under a bundle key pin received out of band
 * (as kubeadm nodes join with `--discovery-token-ca-cert-hash`).
 */
import { Ed25519Options, resolveEd25519Engine } from './ed25519';
import {
  BundleRejectReason,
  analyseSignedPayload,
  checkDsseSignatures,
  openEnvelope,
  parsePayloadJson,
  refuseExpired,
  reject,
} from './envelope-check';
import { describeError } from './errors';
import { BUNDLE_KEY_PIN_PREFIX, BUNDLE_PAYLOAD_TYPE_V2, BootstrapBundleV2, DsseEnvelope } from './formats';
import { BUNDLE_KEY_PIN_RE, bundleKeyPin } from './key-id';
import { SignatureRejected, nowMillis } from './signature-check';
import type { BundleAccepted } from './verify-bundle';
import { CompiledBundleKeySet, compileBundleKeySet } from './verifier-set';

/** Why a first bundle was refused. */
export type FirstBundleRejectReason =
  | BundleRejectReason
  /** The pin is not `sha256:` followed by 64 hex digits. */
  | 'invalid-pin'
  /** No bundle key of the payload has the pin, or the key with the pin did not sign the envelope. */
  | 'pin-mismatch';

/** Outcome of {@link acceptFirstBundle}. */
export type FirstBundleResult = BundleAccepted<BootstrapBundleV2> | SignatureRejected<FirstBundleRejectReason>;

/**
 * Accepts a node's first bundle. The node trusts nothing yet but `pin` (see {@link bundleKeyPin}: `sha256:` and
 * the 64 hex digits of SHA-256 over the UTF-8 bytes of a bundle key entry's `public_key` text; upper-case hex is
 * accepted). Accepted only when:
 * - the envelope is v2 (`BUNDLE_PAYLOAD_TYPE_V2`; a v1 envelope is `wrong-payload-type`: v1 bundles carry no
 *   bundle keys);
 * - the payload's own `bundle_keys.set` is a valid bundle key set with an entry whose pin equals `pin`
 *   (`pin-mismatch` otherwise; other entries of the set count for nothing here);
 * - a signature whose keyid is that entry's kid verifies under it at `now` with the acceptance rules of
 *   `verifyBundle` (active, next, grace before `until`); a signature by that key is required (`pin-mismatch`
 *   when there is none), any other signature is ignored;
 * - the payload is then a valid bundle v2 (see `validateBundle`);
 * - and it has not expired: `freshness.expires` is after `now` (`expired` otherwise).
 * The payload is parsed before any signature is checked (the pinned key is inside it), but nothing of it is
 * trusted until the pinned key's signature over the exact bytes verifies.
 *
 * Never throws on bad input; throws a TypeError only for an invalid `now` or `options.engine`.
 */
export function acceptFirstBundle(
  envelope: DsseEnvelope | string,
  pin: string,
  now: Date,
  options?: Ed25519Options,
): FirstBundleResult {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  const prefix = BUNDLE_KEY_PIN_PREFIX;
  const wanted =
    typeof pin === 'string' && pin.startsWith(prefix) ? `${prefix}${pin.slice(prefix.length).toLowerCase()}` : '';
  if (!BUNDLE_KEY_PIN_RE.test(wanted)) {
    return reject('invalid-pin', 'the pin must be "sha256:" followed by the 64 hex digits of a bundle key pin');
  }
  const opened = openEnvelope(envelope);
  if ('ok' in opened) return opened;
  if (opened.version !== 2) {
    return reject(
      'wrong-payload-type',
      `a first bundle must be a v2 envelope ("${BUNDLE_PAYLOAD_TYPE_V2}"): only v2 bundles carry bundle keys`,
    );
  }
  const parsed = parsePayloadJson(opened);
  if (!parsed.ok) return parsed;
  let keys: CompiledBundleKeySet;
  try {
    const set = (parsed.value as { bundle_keys?: { set?: unknown } } | null)?.bundle_keys?.set;
    keys = compileBundleKeySet(set, 'bundle.bundle_keys.set');
  } catch (e) {
    return reject('invalid-bundle', describeError(e));
  }
  const pinned = keys.set.keys.find((e) => bundleKeyPin(e.public_key) === wanted);
  if (!pinned) {
    return reject('pin-mismatch', `no bundle key of ${keys.set.key} in the payload has pin ${wanted}`);
  }
  const byPinned = opened.fields.signatures.filter((s) => s.keyid === pinned.kid);
  if (byPinned.length === 0) {
    return reject('pin-mismatch', `the pinned bundle key ${pinned.kid} did not sign the envelope`);
  }
  const signed = checkDsseSignatures(
    { ...opened, fields: { ...opened.fields, signatures: byPinned } },
    keys,
    nowMs,
    engine,
  );
  if (!signed.ok) return signed;
  const payload = analyseSignedPayload(opened);
  if (!payload.ok) return payload;
  const expired = refuseExpired(payload.analysed, nowMs);
  if (expired) return expired;
  const { bundle, roots } = payload.analysed;
  return { ok: true, bundle: bundle as BootstrapBundleV2, roots, signer: signed.signer, signerKind: 'bundle-key' };
}
