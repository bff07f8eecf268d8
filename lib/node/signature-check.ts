/**
 * The acceptance rules for a Vault transit signature against a verifier set, shared by task and
 * bundle verification.
 */
import { checkPrepared } from './ed25519';
import type { VerifierState } from './formats';
import { parseVaultSignature } from './vault-signature';
import type { CompiledVerifierSet } from './verifier-set';

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

/** Signature accepted: which verifier entry accepted it. */
export interface SignatureAccepted {
  readonly ok: true;
  readonly version: number;
  readonly kid: string;
  readonly state: VerifierState;
}

/** Signature refused, with a stable reason code and a human-readable detail. */
export interface SignatureRejected<R extends string = SignatureRejectReason> {
  readonly ok: false;
  readonly reason: R;
  readonly detail: string;
}

/** Internal: checks one transit signature string. Never throws. */
export function checkVaultSignature(
  set: CompiledVerifierSet,
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
  const { entry } = compiled;
  if (entry.state === 'grace' && !(nowMs < compiled.untilMs!)) {
    return reject('grace-expired', `key version ${entry.version} was accepted until ${entry.until}`);
  }
  const verdict = checkPrepared(compiled.key, message, parsed.bytes, engine);
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

function reject(reason: SignatureRejectReason, detail: string): SignatureRejected {
  return { ok: false, reason, detail };
}
