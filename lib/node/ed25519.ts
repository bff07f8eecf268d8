/**
 * Strict Ed25519 verification with two interchangeable engines that accept exactly the same inputs.
 */
import { nobleEngineVerify } from './private/ed25519-noble';
import { nodeEd25519Available, nodeEngineVerify } from './ed25519-node';
import { Ed25519Verdict, preparePublicKey, signatureRefusal } from './ed25519-rules';
import type { PreparedKey } from './ed25519-rules';

/**
 * Which implementation checks the equation.
 * - `node`: node:crypto (`crypto.verify(null, ...)`, OpenSSL in Node), the fast path.
 * - `noble`: @noble/ed25519's own `verify` (RFC 8032 mode) plus a prime-order check of R, the portable path
 *   (about 4% of `node`'s throughput; see `private/ed25519-noble.ts`).
 * - `auto`: `node` when the runtime's Ed25519 passes a self-test (RFC 8032 test 1), else `noble`. On the
 *   supported runtimes (Node.js 20.19 or later with its own OpenSSL) that is always `node`.
 */
export type Ed25519Engine = 'auto' | 'node' | 'noble';

/** Options of every verification function. */
export interface Ed25519Options {
  /**
   * Verification engine.
   * @default 'auto'
   */
  readonly engine?: Ed25519Engine;
}

/**
 * Resolves `auto` to the engine that will run. Throws a TypeError for an unknown engine name, or
 * for `node` on a runtime whose node:crypto cannot verify Ed25519 (a programming/configuration
 * error, not bad input).
 */
export function resolveEd25519Engine(engine: Ed25519Engine | undefined = 'auto'): 'node' | 'noble' {
  switch (engine) {
    case 'auto':
      return nodeEd25519Available() ? 'node' : 'noble';
    case 'node':
      if (!nodeEd25519Available())
        throw new TypeError(
          'engine "node": this runtime cannot verify Ed25519 through node:crypto; use "noble" or "auto"',
        );
      return 'node';
    case 'noble':
      return 'noble';
    default:
      throw new TypeError(`engine must be "auto", "node" or "noble"; received ${JSON.stringify(engine)}`);
  }
}

/**
 * Strict Ed25519 (RFC 8032 section 5.1.7 / FIPS 186-5) verification of `signature` over `message`
 * with a raw 32-byte public key, returning `'valid'` or the reason for refusal. Never throws on bad
 * input (only on an invalid `options.engine`).
 *
 * Refused, identically on both engines:
 * 1. `signature-length`: a signature that is not exactly 64 bytes (truncated, or with trailing
 *    bytes: "trailing garbage" is never ignored).
 * 2. `public-key-length`: a public key that is not exactly 32 bytes.
 * 3. `s-out-of-range`: S >= L (non-canonical S; S + L would otherwise give a second valid
 *    signature, i.e. malleability). node:crypto: refused. noble verify: refused. Checked first here.
 * 4. `r-small-order`: R is one of the 14 encodings of a point of order 1, 2, 4 or 8 (8 canonical,
 *    6 non-canonical: x = 0 with the sign bit, as in Wycheproof tcId 151, or y >= p).
 *    node:crypto: refuses all but the canonical identity, which it accepts when [S]B = [k]A (a key
 *    holder can make such a signature). noble verify(zip215: false): accepts all 8 canonical ones
 *    when [S]B = [k]A (cofactored equation); its default ZIP-215 mode also accepts the
 *    non-canonical ones (tcId 151). They disagree, so both paths refuse the whole class, as
 *    libsodium does.
 * 5. `public-key-encoding`: A is not a canonical point encoding: y >= p, or x = 0 with the sign
 *    bit set, or y gives no square root (not on the curve). noble strict: refused. node:crypto:
 *    refuses off-curve keys but decodes y >= p (reduced mod p) and x = 0 with the sign bit. All
 *    such non-canonical encodings that decode are small- or mixed-order points (rules 6 and 7),
 *    which node:crypto would accept; both paths refuse them here.
 * 6. `public-key-small-order`: A has order 1, 2, 4 or 8. node:crypto ACCEPTS forged signatures for
 *    these keys (e.g. A = identity, R = [S]B verifies for any message); noble strict refuses them.
 *    Both paths refuse.
 * 7. `public-key-mixed-order`: A is not in the prime-order subgroup (a torsion component). node:crypto
 *    (cofactorless) accepts a key holder's signature only when [k]T = 0 (1 in 8 messages); noble
 *    (cofactored) accepts all. Both paths refuse. Honest keys ([a]B) are never refused.
 * 8. `equation`: R is not byte-for-byte the canonical encoding of [S]B - [k]A, k = SHA-512(R || A || M)
 *    mod L (cofactorless). This refuses, on both engines: wrong signatures, any other non-canonical
 *    R (y >= p), R off the curve, and R with a small-order component ([S]B - [k]A + T, which noble's
 *    cofactored verify accepts and node:crypto refuses; the noble engine refuses it by checking that R is in
 *    the prime-order subgroup).
 * 9. `invalid-input`: an argument that is not a Uint8Array.
 *
 * Rules 1-7 run before either engine (1-4 per signature, by byte comparison; 5-7 once per key,
 * cached). Rule 8 is each engine's own computation: node:crypto's, or noble's `verify` with R's order checked.
 */
export function checkEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options?: Ed25519Options,
): Ed25519Verdict {
  const engine = resolveEd25519Engine(options?.engine);
  if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return 'invalid-input';
  }
  const key = preparePublicKey(publicKey);
  return checkPrepared(key.ok ? key : key.reason, message, signature, engine);
}

/**
 * Boolean form of {@link checkEd25519}: true only for `'valid'`. See {@link checkEd25519} for the
 * exact list of refused encodings and what each engine would do alone.
 */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options?: Ed25519Options,
): boolean {
  return checkEd25519(publicKey, message, signature, options) === 'valid';
}

/** Internal: verification with an already-prepared key and a resolved engine. */
export function checkPrepared(
  key: PreparedKey | Exclude<Ed25519Verdict, 'valid'>,
  message: Uint8Array,
  signature: Uint8Array,
  engine: 'node' | 'noble',
): Ed25519Verdict {
  const refusal = signatureRefusal(signature);
  if (refusal) return refusal;
  if (typeof key === 'string') return key;
  const ok = engine === 'node' ? nodeEngineVerify(key, message, signature) : nobleEngineVerify(key, message, signature);
  return ok ? 'valid' : 'equation';
}
