/**
 * The acceptance rules for a signature against a key set, shared by task and bundle verification: Vault
 * transit signatures (`vault:v<N>:<base64>`, the entry picked by N) and DSSE signatures (raw base64, the entry
 * picked by keyid). Both then apply the same rule: active and next entries are accepted, grace entries strictly
 * before `until`, and the Ed25519 signature must pass strict verification.
 */
import { decodeBase64Strict } from './private/base64';
import { checkPrepared } from './ed25519';
import type { VerifierState } from './formats';
import { parseVaultSignature } from './vault-signature';
import type { CompiledEntry, CompiledKeySet } from './verifier-set';

/** Why a signature was refused. */
export type SignatureRejectReason =
  /** Not exactly `vault:v<N>:<canonical base64 of 64 bytes>`. */
  | 'malformed-signature'
  /** The version is not in the verifier set: retired, or never published. */
  | 'unknown-version'
  /** The version is a `grace` entry whose `until` is at or before `now`. */
  | 'grace-expired'
  /** The Ed25519 signature does not verify under strict rules (see `checkEd25519`). */
  | 'bad-signature';

/** Why a DSSE signature (`{ keyid, sig }`, sig the raw signature in base64) was refused. */
export type DsseSignatureRejectReason =
  /** `sig` is not canonical standard base64 of exactly 64 bytes (a `vault:v<N>:` prefix is refused too). */
  | 'malformed-signature'
  /** `keyid` is the kid of no entry of the trusted set: a retired or never published key version. */
  | 'unknown-key'
  | 'grace-expired'
  | 'bad-signature';

/** Signature accepted: which verifier entry accepted it. */
export interface SignatureAccepted {
  /** Always `true`: tells an accepted signature from a {@link SignatureRejected}. */
  readonly ok: true;
  /** Transit key version of the accepting entry. */
  readonly version: number;
  /** Kid of the accepting entry. */
  readonly kid: string;
  /** State of the accepting entry: `active`, `next`, or `grace` before its `until`. */
  readonly state: VerifierState;
}

/** Signature refused, with a stable reason code and a human-readable detail. */
export interface SignatureRejected<R extends string = SignatureRejectReason> {
  /** Always `false`: the signature, bundle or update was refused. */
  readonly ok: false;
  /** Stable reason code, for programs and metrics. */
  readonly reason: R;
  /** What was wrong, in words, for logs. */
  readonly detail: string;
}

/** Internal: checks one transit signature string. Never throws. */
export function checkVaultSignature(
  set: CompiledKeySet,
  message: Uint8Array,
  signature: unknown,
  nowMs: number,
  engine: 'node' | 'noble',
): SignatureAccepted | SignatureRejected {
  const parsed = parseVaultSignature(signature);
  if (!parsed) {
    return reject(
      'malformed-signature',
      'expected "vault:v<version>:<standard base64 of 64 bytes>" with no other characters',
    );
  }
  const compiled = set.byVersion.get(parsed.version);
  if (!compiled) {
    return reject(
      'unknown-version',
      `key version ${parsed.version} is not in the verifier set (retired, or never published)`,
    );
  }
  return checkEntrySignature(compiled, message, parsed.bytes, nowMs, engine);
}

/**
 * Internal: checks one DSSE signature `{ keyid, sig }`: the entry is the one whose kid equals `keyid` exactly,
 * and `sig` is the standard base64 of the raw 64-byte signature. Never throws.
 */
export function checkDsseSignature(
  set: CompiledKeySet,
  message: Uint8Array,
  keyid: string,
  sig: string,
  nowMs: number,
  engine: 'node' | 'noble',
): SignatureAccepted | SignatureRejected<DsseSignatureRejectReason> {
  const compiled = set.byKid.get(keyid);
  if (!compiled) {
    return {
      ok: false,
      reason: 'unknown-key',
      detail: `keyid ${JSON.stringify(keyid).slice(0, 120)} is no key version of ${set.set.key} (retired, or never published)`,
    };
  }
  const bytes = decodeBase64Strict(sig, 64);
  if (!bytes) {
    return reject(
      'malformed-signature',
      `the signature by ${compiled.entry.kid} is not canonical standard base64 of a raw 64-byte Ed25519 signature (DSSE; no "vault:v<N>:" prefix)`,
    );
  }
  return checkEntrySignature(compiled, message, bytes, nowMs, engine);
}

/** Internal: the acceptance rule of one entry (state at `nowMs`, then strict Ed25519). Never throws. */
export function checkEntrySignature(
  compiled: CompiledEntry,
  message: Uint8Array,
  signature: Uint8Array,
  nowMs: number,
  engine: 'node' | 'noble',
): SignatureAccepted | SignatureRejected<'grace-expired' | 'bad-signature'> {
  const { entry } = compiled;
  if (entry.state === 'grace' && !(nowMs < compiled.untilMs!)) {
    return reject('grace-expired', `key version ${entry.version} was accepted until ${entry.until}`);
  }
  const verdict = checkPrepared(compiled.key, message, signature, engine);
  if (verdict !== 'valid') {
    return reject('bad-signature', `Ed25519 verification with ${entry.kid} failed (${verdict})`);
  }
  return { ok: true, version: entry.version, kid: entry.kid, state: entry.state };
}

/** Internal: throws a TypeError unless `now` is a valid Date; returns its epoch milliseconds. */
export function nowMillis(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : NaN;
  if (Number.isNaN(ms)) throw new TypeError('now must be a valid Date');
  return ms;
}

function reject<R extends SignatureRejectReason>(reason: R, detail: string): SignatureRejected<R> {
  return { ok: false, reason, detail };
}
