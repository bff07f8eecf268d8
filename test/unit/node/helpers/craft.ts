/**
 * Test helper: Ed25519 signatures for the edge classes where verifiers disagree, made with a known
 * secret scalar and @noble/ed25519's point arithmetic (small-order and mixed-order R and A, S + L).
 */
import { createHash } from 'node:crypto';
import { Point } from '@noble/ed25519';

export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
export const P = 2n ** 255n - 19n;

export function le32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse());
}

export function fromLe(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** k = SHA-512(R || A || M) mod L. */
export function challenge(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  return fromLe(createHash('sha512').update(r).update(a).update(m).digest()) % L;
}

/** A key with a known scalar. */
export interface CraftKey {
  readonly a: bigint;
  readonly A: Point;
  readonly pk: Uint8Array;
}

/** RFC 8032 key derivation from a 32-byte seed (same public key as node:crypto for that seed). */
export function craftKey(seed: Uint8Array): CraftKey {
  const h = createHash('sha512').update(seed).digest();
  const head = Uint8Array.from(h.subarray(0, 32));
  head[0] &= 248;
  head[31] &= 127;
  head[31] |= 64;
  const a = fromLe(head) % L;
  const A = Point.BASE.multiply(a);
  return { a, A, pk: A.toBytes() };
}

/** The 8 points of the torsion subgroup, T[j] = j * T[1], T[1] of order 8. */
export const TORSION: readonly Point[] = (() => {
  let t8: Point | undefined;
  for (let y = 2n; !t8; y++) {
    let p: Point;
    try {
      p = Point.fromBytes(le32(y), false);
    } catch {
      continue;
    }
    const t = p.multiply(L - 1n, false).add(p); // [L]p: the torsion component
    if (!t.double().double().is0()) t8 = t;
  }
  const out: Point[] = [Point.ZERO];
  for (let j = 1; j < 8; j++) out.push(out[j - 1].add(t8));
  return out;
})();

/**
 * Signature (R bytes, S) with nonce point R = rB + extra, for the key bytes `pkBytes` whose scalar
 * is `a`: S = r + k*a mod L with k over the given R and key bytes.
 */
export function signWithNonce(
  key: CraftKey,
  message: Uint8Array,
  r: bigint,
  extra: Point = Point.ZERO,
  pkBytes: Uint8Array = key.pk,
): Uint8Array {
  const R = (r === 0n ? Point.ZERO : Point.BASE.multiply(r)).add(extra);
  const rBytes = R.toBytes();
  const s = (r + challenge(rBytes, pkBytes, message) * key.a) % L;
  return concat(rBytes, le32(s));
}

/** Signature with a fixed R encoding (any bytes) and S = r + k*a, where R is assumed to be rB (+ torsion). */
export function signWithREncoding(key: CraftKey, message: Uint8Array, rBytes: Uint8Array, r = 0n): Uint8Array {
  const s = (r + challenge(rBytes, key.pk, message) * key.a) % L;
  return concat(rBytes, le32(s));
}

/**
 * A "signature" for a small-order or identity public key encoding `pkBytes` (point Apt): R = [S]B for
 * S chosen so that [k]A = 0, which a cofactorless verifier accepts without any secret.
 */
export function forgeForSmallOrderKey(pkBytes: Uint8Array, Apt: Point, message: Uint8Array): Uint8Array {
  for (let s = 1n; s < 10000n; s++) {
    const R = Point.BASE.multiply(s).toBytes();
    if (Apt.multiply(challenge(R, pkBytes, message), false).is0()) return concat(R, le32(s));
  }
  throw new Error('no forgery found');
}

/** S replaced by S + n*L (still below 2^256). */
export function addToS(sig: Uint8Array, multiple: bigint): Uint8Array {
  const s = fromLe(sig.subarray(32)) + multiple * L;
  return concat(sig.subarray(0, 32), le32(s));
}
