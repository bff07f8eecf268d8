/**
 * The portable engine: @noble/ed25519's own `verify` in its RFC 8032 mode (`zip215: false`), for a runtime whose
 * node:crypto cannot verify Ed25519 (`auto` picks it only when the node:crypto self-test fails, for example an
 * OpenSSL whose only provider lacks EdDSA), or when a caller asks for it by name. It does no point arithmetic
 * of its own.
 *
 * noble's strict verify decodes A and R strictly (y < p, no x = 0 with the sign bit) and checks the cofactored
 * equation [8]R = [8]([S]B - [k]A). The node:crypto engine checks the cofactorless one: R is byte-for-byte the
 * encoding of [S]B - [k]A. The shared rules in `ed25519-rules.ts` run first (S < L, R not a small-order
 * encoding, A canonical and in the prime-order subgroup); after them the two equations differ only for an R
 * with a small-order component (R = [S]B - [k]A + T, which a key holder can make): noble accepts it,
 * node:crypto refuses it. So this engine also requires R to be in the prime-order subgroup; with A there too,
 * [8]R = [8]([S]B - [k]A) then means R = [S]B - [k]A, and R's strict encoding is the canonical one. The
 * differential tests hold the two engines to the same verdict on every input class.
 *
 * About 4% of node:crypto's throughput (BENCHMARKS.md; about 500 verifications a second on two cores): enough
 * for a node agent's tasks and bundle polls. The engine used to be several times faster with window tables of
 * our own; they were removed so that no point arithmetic is ours to maintain. Verification handles public data
 * only, so noble's variable-time arithmetic is fine here.
 */
import { createHash } from 'node:crypto';
import { Point, hashes, verify } from '@noble/ed25519';
import type { PreparedKey } from '../ed25519-rules';

/** SHA-512 for noble's synchronous API, from node:crypto. */
const sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());

/**
 * Raw noble verification of a prepared key (callers apply the shared rules first). Never throws.
 * noble's synchronous API needs a SHA-512 in its `hashes.sha512` slot: it is set to node:crypto's on first
 * use when the application has not set one.
 */
export function nobleEngineVerify(key: PreparedKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    hashes.sha512 ??= sha512;
    if (!verify(signature, message, key.raw, { zip215: false })) return false;
    return Point.fromBytes(signature.subarray(0, 32), false).isTorsionFree();
  } catch {
    return false;
  }
}
