/**
 * Verification of a signed bootstrap bundle envelope.
 */
import { analyseBundle, AnalysedBundle, RootPin } from './bundle';
import { BoundedCache } from './bounded-cache';
import { EnvelopeFields, decodePayload, pae, readEnvelope } from './dsse';
import { Ed25519Options, resolveEd25519Engine } from './ed25519';
import { NodeTrustError, NodeTrustErrorCode, describeError } from './errors';
import { BUNDLE_PAYLOAD_TYPE, BootstrapBundleV1, SignedEnvelope, VerifierSetV1 } from './formats';
import {
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
  checkVaultSignature,
  nowMillis,
} from './signature-check';
import { CompiledVerifierSet, compileVerifierSet } from './verifier-set';

/** Why a bundle envelope was refused. */
export type BundleRejectReason =
  /** The envelope is not `{ payloadType, payload, signatures: [{ keyid, sig }] }` with canonical base64. */
  | 'malformed-envelope'
  /** `payloadType` is not the bootstrap bundle v1 type. */
  | 'wrong-payload-type'
  /** The trusted verifier set does not validate. */
  | 'invalid-verifier-set'
  /** A signature's `keyid` is not the kid of the version its `sig` names. */
  | 'keyid-mismatch'
  | SignatureRejectReason
  /** The signed payload is not UTF-8 JSON. */
  | 'invalid-payload'
  /** The payload holds a private key, Vault token, Vault address or AppRole credential. */
  | 'secret-material'
  /** The payload breaks a bundle v1 rule (see `validateBundle`). */
  | 'invalid-bundle';

/** A verified bundle. */
export interface BundleAccepted {
  readonly ok: true;
  /** The validated bundle, deeply frozen. */
  readonly bundle: BootstrapBundleV1;
  /** SPKI pin of each control-plane root, in bundle order. */
  readonly roots: readonly RootPin[];
  /** The verifier entry that accepted the envelope's signature. */
  readonly signer: Omit<SignatureAccepted, 'ok'>;
}

/** Outcome of {@link verifyBundle}. */
export type BundleVerification = BundleAccepted | SignatureRejected<BundleRejectReason>;

/**
 * Verifies a signed bootstrap bundle: the envelope must carry at least one Vault transit signature
 * over `PAE(payloadType, payload)` that verifies under `trustedVerifiers` at `now`, with the same
 * acceptance rules as `verifyTask` (active, next, grace before `until`; unknown versions refused),
 * and whose `keyid` is that entry's kid. Only then is the payload parsed: it must be UTF-8 JSON
 * holding no secrets and a valid bundle v1 (see `validateBundle`).
 *
 * `envelope` may be the object or its JSON text; `trustedVerifiers` the set or its text. Never
 * throws on bad input; throws a TypeError only for an invalid `now` or `options.engine`.
 */
export function verifyBundle(
  envelope: SignedEnvelope | string,
  trustedVerifiers: VerifierSetV1 | string,
  now: Date,
  options?: Ed25519Options,
): BundleVerification {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  let verifiers: CompiledVerifierSet;
  try {
    verifiers = compileVerifierSet(trustedVerifiers);
  } catch (e) {
    return reject('invalid-verifier-set', describeError(e));
  }
  const outcome = verifyEnvelope(envelope, verifiers, nowMs, engine);
  if (!outcome.ok) return outcome;
  const { analysed, signer } = outcome;
  return { ok: true, bundle: analysed.bundle, roots: analysed.roots, signer };
}

/** A decoded payload and, once a signature over it verified, the outcome of its analysis. */
interface PayloadEntry {
  readonly signed: Uint8Array;
  readonly payload: Buffer;
  outcome?: { ok: true; analysed: AnalysedBundle } | SignatureRejected<BundleRejectReason>;
}

/** Payloads up to this size are memoized (a node re-verifies the same envelope on every poll). */
const MEMO_MAX_PAYLOAD = 256 * 1024;
const payloads = new BoundedCache<string, PayloadEntry>(16);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Internal: {@link verifyBundle} with compiled inputs, returning the analysed bundle. Never throws.
 * The decoding and analysis of a payload are pure functions of its base64 text, so they are
 * memoized by that text once a trusted signature over it verified (16 payloads of up to 256 KiB);
 * the signatures are checked on every call.
 */
export function verifyEnvelope(
  envelope: unknown,
  verifiers: CompiledVerifierSet,
  nowMs: number,
  engine: 'node' | 'noble',
):
  | { ok: true; analysed: AnalysedBundle; signer: Omit<SignatureAccepted, 'ok'> }
  | SignatureRejected<BundleRejectReason> {
  let fields: EnvelopeFields;
  try {
    fields = readEnvelope(envelope);
  } catch (e) {
    return reject('malformed-envelope', describeError(e));
  }
  if (fields.payloadType !== BUNDLE_PAYLOAD_TYPE) {
    return reject('wrong-payload-type', `payloadType must be "${BUNDLE_PAYLOAD_TYPE}"`);
  }
  let entry = payloads.get(fields.payloadB64);
  if (!entry) {
    let payload: Buffer;
    try {
      payload = decodePayload(fields.payloadB64);
    } catch (e) {
      return reject('malformed-envelope', describeError(e));
    }
    entry = { payload, signed: pae(BUNDLE_PAYLOAD_TYPE, payload) };
  }

  let signer: Omit<SignatureAccepted, 'ok'> | undefined;
  let firstRefusal: SignatureRejected<BundleRejectReason> | undefined;
  for (const { keyid, sig } of fields.signatures) {
    const result = checkVaultSignature(verifiers, entry.signed, sig, nowMs, engine);
    if (result.ok && result.kid === keyid) {
      signer = { version: result.version, kid: result.kid, state: result.state };
      break;
    }
    firstRefusal ??= result.ok
      ? reject('keyid-mismatch', `keyid ${JSON.stringify(keyid)} is not ${result.kid}, the kid of the signing version`)
      : result;
  }
  if (!signer) return firstRefusal!;

  // Only payloads that a trusted key signed are memoized, so unsigned junk cannot churn the cache.
  if (fields.payloadB64.length <= MEMO_MAX_PAYLOAD) payloads.set(fields.payloadB64, entry);
  entry.outcome ??= analysePayload(entry.payload);
  return entry.outcome.ok ? { ok: true, analysed: entry.outcome.analysed, signer } : entry.outcome;
}

/** Parses and validates signed payload bytes. Never throws. */
function analysePayload(
  payload: Buffer,
): { ok: true; analysed: AnalysedBundle } | SignatureRejected<BundleRejectReason> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch (e) {
    return reject('invalid-payload', `the payload is not UTF-8 JSON (${describeError(e)})`);
  }
  try {
    return { ok: true, analysed: analyseBundle(value) };
  } catch (e) {
    if (e instanceof NodeTrustError && e.code === NodeTrustErrorCode.SECRET_MATERIAL) {
      return reject('secret-material', e.message);
    }
    return reject('invalid-bundle', describeError(e));
  }
}

function reject(reason: BundleRejectReason, detail: string): SignatureRejected<BundleRejectReason> {
  return { ok: false, reason, detail };
}
