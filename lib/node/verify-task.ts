/**
 * Node task verification: a task message and its Vault transit signature against the verifier set.
 */
import { AnalysedBundle, analyseBundle, expiryDetail } from './bundle';
import { Ed25519Options, checkPrepared, resolveEd25519Engine } from './ed25519';
import { describeError } from './errors';
import { BUNDLE_SCHEMA_V2 } from './formats';
import type { BootstrapBundle, VerifierSetV1 } from './formats';
import {
  SignatureAccepted,
  SignatureRejectReason,
  SignatureRejected,
  checkVaultSignature,
  nowMillis,
} from './signature-check';
import { parseVaultSignature } from './vault-signature';
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
  const bytes = messageBytes(message);
  if (!bytes) return { ok: false, reason: 'invalid-message', detail: 'message must be a Uint8Array or a string' };
  return checkVaultSignature(set, bytes, signature, nowMs, engine);
}

/** Why {@link verifyTaskWithBundle} refused a task. */
export type TaskWithBundleRejectReason =
  | Exclude<TaskRejectReason, 'invalid-verifier-set'>
  /** The bundle does not validate (see `validateBundle`). */
  | 'invalid-bundle'
  /**
   * The held bundle (v2) has expired (`freshness.expires` at or before `now`): every task is refused, whatever its
   * signature, until the node takes a fresh bundle. This bounds a freeze attack by the bundle's expiry.
   */
  | 'bundle-expired'
  /** The signature names a task key version that the held bundle (v2) revokes (`revoked.task_key_versions`). */
  | 'revoked-key'
  /**
   * The signature verifies under the bundle key version it names, not under the task verifiers: a bundle key
   * never signs tasks (domain separation), so whoever may sign bundles still cannot sign tasks with that key.
   */
  | 'bundle-key-signature';

/** Outcome of {@link verifyTaskWithBundle}. */
export type TaskWithBundleVerification = SignatureAccepted | SignatureRejected<TaskWithBundleRejectReason>;

/**
 * Verifies a task (signature `vault:v<N>:<base64>`) under the task verifiers of the bundle a node holds
 * (`bundle.task_verifiers.set`), exactly as {@link verifyTask} does. When that fails and the bundle is v2 and
 * the signature verifies under the bundle key of version N (`bundle.bundle_keys`, any state), the refusal is
 * `bundle-key-signature` rather than the task-side reason, so a bundle key used to sign tasks is told apart.
 * A bundle key never makes a task acceptable.
 *
 * With a v2 bundle, every task is refused as `bundle-expired` from the bundle's `freshness.expires` on (checked
 * before the message and the signature: fail closed), and a signature by a task key version that the bundle
 * revokes is refused as `revoked-key` (rather than `unknown-version`: the set no longer lists it).
 *
 * `bundle` is validated (a bundle returned by `verifyBundle`, `acceptBundleUpdate` or `validateBundle` is not
 * validated again); an invalid one gives `invalid-bundle`. Never throws on bad input; throws a TypeError only
 * for an invalid `now` or `options.engine`.
 */
export function verifyTaskWithBundle(
  bundle: BootstrapBundle,
  message: Uint8Array | string,
  signature: string,
  now: Date,
  options?: Ed25519Options,
): TaskWithBundleVerification {
  const nowMs = nowMillis(now);
  const engine = resolveEd25519Engine(options?.engine);
  let held: AnalysedBundle;
  try {
    held = analyseBundle(bundle);
  } catch (e) {
    return { ok: false, reason: 'invalid-bundle', detail: describeError(e) };
  }
  const expired = expiryDetail(held, nowMs);
  if (expired !== undefined) {
    return {
      ok: false,
      reason: 'bundle-expired',
      detail: `${expired}; every task is refused until the node takes a fresh bundle (acceptBundleUpdate)`,
    };
  }
  const bytes = messageBytes(message);
  if (!bytes) return { ok: false, reason: 'invalid-message', detail: 'message must be a Uint8Array or a string' };
  const result = checkVaultSignature(held.verifiers, bytes, signature, nowMs, engine);
  if (result.ok || !held.bundleKeys) return result;
  const parsed = parseVaultSignature(signature);
  const bundleKey = parsed && held.bundleKeys.byVersion.get(parsed.version);
  if (bundleKey && checkPrepared(bundleKey.key, bytes, parsed.bytes, engine) === 'valid') {
    return {
      ok: false,
      reason: 'bundle-key-signature',
      detail: `the task is signed by bundle key ${bundleKey.entry.kid}; tasks are accepted only under the task verifiers of ${held.verifiers.set.key}`,
    };
  }
  const b = held.bundle;
  if (
    result.reason === 'unknown-version' &&
    parsed &&
    b.schema === BUNDLE_SCHEMA_V2 &&
    b.revoked.task_key_versions.includes(parsed.version)
  ) {
    return {
      ok: false,
      reason: 'revoked-key',
      detail: `task key version ${parsed.version} of ${held.verifiers.set.key} is revoked by the held bundle (sequence ${b.sequence}); tasks it signs are refused`,
    };
  }
  return result;
}

/** A message as bytes (a string as its UTF-8 encoding), or undefined for another type. */
function messageBytes(message: unknown): Uint8Array | undefined {
  if (message instanceof Uint8Array) return message;
  if (typeof message === 'string') return Buffer.from(message, 'utf8');
  return undefined;
}
