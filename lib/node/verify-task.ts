/**
 * Node task verification: a task message and its Vault transit signature against the verifier set.
 */
import { Ed25519Options, resolveEd25519Engine } from './ed25519';
import { describeError } from './errors';
import type { VerifierSetV1 } from './formats';
import {
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
  checkVaultSignature,
  nowMillis,
} from './signature-check';
import { CompiledVerifierSet, compileVerifierSet } from './verifier-set';

/** Why a task was refused. */
export type TaskRejectReason =
  /** The verifier set does not parse or validate (see `parseVerifierSet`). */
  | 'invalid-verifier-set'
  /** The message is neither a Uint8Array nor a string. */
  | 'invalid-message'
  | SignatureRejectReason;

/** Outcome of {@link verifyTask}. */
export type TaskVerification = SignatureAccepted | SignatureRejected<TaskRejectReason>;

/**
 * Verifies a task signed through Vault transit.
 *
 * - `verifierSet`: the set returned by `parseVerifierSet`, or the raw `GPUAAS_TASK_SIGNING_PUBKEYS`
 *   text (parsed with the same rules and cached by text). Both are validated once; any other object
 *   is validated on every call.
 * - `message`: the signed bytes; a string is taken as its UTF-8 encoding (lone surrogates become
 *   U+FFFD, so pass bytes to verify exactly what was signed).
 * - `signature`: `vault:v<N>:<base64>`; the entry is picked by N.
 * - `now`: the time that grace windows are checked against (injected, never read from the clock).
 *
 * Accepts `active` and `next` entries (a pre-published key is accepted, so activating it needs no
 * bundle round-trip) and `grace` entries strictly before `until`. Refuses unknown versions (retired
 * or never published), expired grace entries, malformed signature strings and signatures that fail
 * strict Ed25519 (see `checkEd25519`).
 *
 * Never throws on bad input: every malformed verifier set, message or signature gives
 * `{ ok: false, reason, detail }`. Throws a TypeError only for programming errors: `now` not a valid
 * Date, or an unknown `options.engine`.
 */
export function verifyTask(
  verifierSet: VerifierSetV1 | string,
  message: Uint8Array | string,
  signature: string,
  now: Date,
  options?: Ed25519Options,
): TaskVerification {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  let set: CompiledVerifierSet;
  try {
    set = compileVerifierSet(verifierSet);
  } catch (e) {
    return { ok: false, reason: 'invalid-verifier-set', detail: describeError(e) };
  }
  let bytes: Uint8Array;
  if (message instanceof Uint8Array) bytes = message;
  else if (typeof message === 'string') bytes = Buffer.from(message, 'utf8');
  else return { ok: false, reason: 'invalid-message', detail: 'message must be a Uint8Array or a string' };
  return checkVaultSignature(set, bytes, signature, nowMs, engine);
}
