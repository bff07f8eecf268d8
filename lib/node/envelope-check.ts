/**
 * Internal: the steps of bundle envelope verification that `verifyBundle`, `acceptBundleUpdate` and
 * `acceptFirstBundle` compose: open the envelope, check its signatures (v1: Vault transit strings under task
 * verifiers; v2: DSSE signatures under the key set the caller trusts), then analyse the signed payload.
 */
import { AnalysedBundle, analyseBundle, expiryDetail } from './bundle';
import { BoundedCache } from './private/bounded-cache';
import { pae } from '../kernel/dsse';
import { EnvelopeFields, decodePayload, readEnvelope } from './dsse';
import { NodeTrustError, NodeTrustErrorCode, describeError } from './errors';
import { BUNDLE_PAYLOAD_TYPE, BUNDLE_PAYLOAD_TYPE_V2, BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2 } from './formats';
import {
  DsseSignatureRejectReason,
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
  checkDsseSignature,
  checkVaultSignature,
} from './signature-check';
import type { CompiledKeySet, CompiledVerifierSet } from './verifier-set';

/** Why a bundle envelope was refused. */
export type BundleRejectReason =
  /** The envelope is not `{ payloadType, payload, signatures: [{ keyid, sig }] }` with canonical base64. */
  | 'malformed-envelope'
  /** `payloadType` is neither bundle type (v1, v2), or not the type the caller requires (a first bundle is v2). */
  | 'wrong-payload-type'
  /** The trusted key set (task verifiers or bundle keys) does not validate. */
  | 'invalid-verifier-set'
  /** The trusted key set is of the other kind: a task verifier set for a v2 envelope, or bundle keys for v1. */
  | 'wrong-key-kind'
  /** v1: a signature's `keyid` is not the kid of the version its `sig` names. */
  | 'keyid-mismatch'
  | SignatureRejectReason
  | DsseSignatureRejectReason
  /** The signed payload is not UTF-8 JSON. */
  | 'invalid-payload'
  /** The payload holds a private key, Vault token, Vault address or AppRole credential. */
  | 'secret-material'
  /** The payload breaks a bundle rule (see `validateBundle`), or its `schema` is not the envelope's format. */
  | 'invalid-bundle'
  /** The bundle (v2) has expired: `freshness.expires` is at or before `now`. A node never takes an expired bundle. */
  | 'expired';

/** Which key version accepted an envelope. */
export type BundleSigner = Omit<SignatureAccepted, 'ok'>;

/** An envelope whose shape and payload type are checked, with its payload decoded and PAE computed. */
export interface OpenedEnvelope {
  /** Format version, from the payload type. */
  readonly version: 1 | 2;
  readonly fields: EnvelopeFields;
  readonly entry: PayloadEntry;
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

/** Reads an envelope (object or JSON text) and decodes its payload. Never throws. */
export function openEnvelope(envelope: unknown): OpenedEnvelope | SignatureRejected<BundleRejectReason> {
  let fields: EnvelopeFields;
  try {
    fields = readEnvelope(envelope);
  } catch (e) {
    return reject('malformed-envelope', describeError(e));
  }
  const version =
    fields.payloadType === BUNDLE_PAYLOAD_TYPE ? 1 : fields.payloadType === BUNDLE_PAYLOAD_TYPE_V2 ? 2 : 0;
  if (version === 0) {
    return reject(
      'wrong-payload-type',
      `payloadType must be "${BUNDLE_PAYLOAD_TYPE_V2}" (or "${BUNDLE_PAYLOAD_TYPE}")`,
    );
  }
  const memoKey = `${version}:${fields.payloadB64}`;
  let entry = payloads.get(memoKey);
  if (!entry) {
    let payload: Buffer;
    try {
      payload = decodePayload(fields.payloadB64);
    } catch (e) {
      return reject('malformed-envelope', describeError(e));
    }
    entry = { payload, signed: pae(fields.payloadType, payload) };
  }
  return { version, fields, entry };
}

/**
 * v1 envelopes: the first signature that verifies under `verifiers` (Vault transit string, entry picked by its
 * version) and whose keyid is that entry's kid. Never throws.
 */
export function checkV1Signatures(
  opened: OpenedEnvelope,
  verifiers: CompiledVerifierSet,
  nowMs: number,
  engine: 'node' | 'noble',
): { ok: true; signer: BundleSigner } | SignatureRejected<BundleRejectReason> {
  let firstRefusal: SignatureRejected<BundleRejectReason> | undefined;
  for (const { keyid, sig } of opened.fields.signatures) {
    const result = checkVaultSignature(verifiers, opened.entry.signed, sig, nowMs, engine);
    if (result.ok && result.kid === keyid) return { ok: true, signer: signerOf(result) };
    firstRefusal ??= result.ok
      ? reject('keyid-mismatch', `keyid ${JSON.stringify(keyid)} is not ${result.kid}, the kid of the signing version`)
      : result;
  }
  return firstRefusal!;
}

/** Signatures whose keyid belongs to a set the caller knows but does not accept here, and how to refuse them. */
export interface Recognised<R extends string> {
  readonly set: CompiledKeySet;
  readonly reason: R;
  readonly detail: string;
}

/** Keyids that never count, whatever the trusted set holds (revoked key versions), and how to refuse them. */
export interface Refused<Q extends string> {
  /** A refusal detail when `keyid` must not count; undefined otherwise. */
  readonly check: (keyid: string) => string | undefined;
  readonly reason: Q;
}

/**
 * v2 (DSSE) envelopes: the first signature whose keyid is the kid of an entry of `trusted` and that verifies
 * under it (see `checkDsseSignature`). Signatures whose keyid is a kid of `recognised.set` are ignored; when
 * they are all there is, the refusal is `recognised.reason`. Signatures whose keyid `refused` names never count
 * (refusal `refused.reason`). Otherwise the first refusal of another signature is returned (`unknown-key` for a
 * keyid in no set). Never throws.
 */
export function checkDsseSignatures<R extends string = never, Q extends string = never>(
  opened: OpenedEnvelope,
  trusted: CompiledKeySet,
  nowMs: number,
  engine: 'node' | 'noble',
  recognised?: Recognised<R>,
  refused?: Refused<Q>,
): { ok: true; signer: BundleSigner } | SignatureRejected<BundleRejectReason | R | Q> {
  let firstRefusal: SignatureRejected<BundleRejectReason | Q> | undefined;
  for (const { keyid, sig } of opened.fields.signatures) {
    if (!trusted.byKid.has(keyid) && recognised?.set.byKid.has(keyid)) continue;
    const why = refused?.check(keyid);
    if (why !== undefined) {
      firstRefusal ??= reject(refused!.reason, why);
      continue;
    }
    const result = checkDsseSignature(trusted, opened.entry.signed, keyid, sig, nowMs, engine);
    if (result.ok) return { ok: true, signer: signerOf(result) };
    firstRefusal ??= result;
  }
  return firstRefusal ?? { ok: false, reason: recognised!.reason, detail: recognised!.detail };
}

/**
 * Analyses a payload once a trusted signature over it verified: UTF-8 JSON, a valid bundle whose `schema` is
 * the envelope's format (v1 payload type: bundle v1; v2: bundle v2). Memoizes the outcome by payload text (16 payloads of up to 256 KiB), so
 * only payloads that a trusted key signed enter the cache. Never throws.
 */
export function analyseSignedPayload(
  opened: OpenedEnvelope,
): { ok: true; analysed: AnalysedBundle } | SignatureRejected<BundleRejectReason> {
  const { entry, fields, version } = opened;
  if (fields.payloadB64.length <= MEMO_MAX_PAYLOAD) payloads.set(`${version}:${fields.payloadB64}`, entry);
  entry.outcome ??= analysePayload(entry.payload, version);
  return entry.outcome;
}

/** Internal: the payload parsed as JSON (no validation), for the first-bundle pin lookup. Never throws. */
export function parsePayloadJson(
  opened: OpenedEnvelope,
): { ok: true; value: unknown } | SignatureRejected<'invalid-payload'> {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(opened.entry.payload)) };
  } catch (e) {
    return { ok: false, reason: 'invalid-payload', detail: `the payload is not UTF-8 JSON (${describeError(e)})` };
  }
}

/** Parses and validates signed payload bytes. Never throws. */
function analysePayload(
  payload: Buffer,
  version: 1 | 2,
): { ok: true; analysed: AnalysedBundle } | SignatureRejected<BundleRejectReason> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch (e) {
    return reject('invalid-payload', `the payload is not UTF-8 JSON (${describeError(e)})`);
  }
  try {
    return { ok: true, analysed: analyseBundle(value, 'bundle', version === 2 ? BUNDLE_SCHEMA_V2 : BUNDLE_SCHEMA_V1) };
  } catch (e) {
    if (e instanceof NodeTrustError && e.code === NodeTrustErrorCode.SECRET_MATERIAL) {
      return reject('secret-material', e.message);
    }
    return reject('invalid-bundle', describeError(e));
  }
}

/** A refusal (`expired`) when the analysed bundle has expired at `nowMs`; undefined while it is fresh (and for v1). */
export function refuseExpired(analysed: AnalysedBundle, nowMs: number): SignatureRejected<'expired'> | undefined {
  const detail = expiryDetail(analysed, nowMs);
  return detail === undefined ? undefined : reject('expired', `${detail}; a node never takes an expired bundle`);
}

function signerOf(accepted: SignatureAccepted): BundleSigner {
  return { version: accepted.version, kid: accepted.kid, state: accepted.state };
}

/** Internal: a refusal with a reason code and a detail. */
export function reject<R extends string>(reason: R, detail: string): SignatureRejected<R> {
  return { ok: false, reason, detail };
}
