/**
 * The strict Ed25519 acceptance rules shared by both verification engines, applied before either
 * engine runs. See `checkEd25519` in `ed25519.ts` for the full list and the reasons.
 *
 * Signature checks are byte comparisons (cheap, per signature). Public key checks decode the point
 * with @noble/ed25519's strict (non-ZIP-215) decoder and test its order; they are cached per key.
 */
import { Point } from '@noble/ed25519';
import { BoundedCache } from './private/bounded-cache';

/** Why a signature is refused. `valid` is the only accepting verdict. */
export type Ed25519Refusal =
  /** An argument is not a Uint8Array. */
  | 'invalid-input'
  /** The signature is not exactly 64 bytes (truncated, or trailing bytes). */
  | 'signature-length'
  /** The public key is not exactly 32 bytes. */
  | 'public-key-length'
  /** S (the second half of the signature, little-endian) is not below the group order L. */
  | 's-out-of-range'
  /** R is an encoding of a point of order 1, 2, 4 or 8. */
  | 'r-small-order'
  /** The public key is not a canonical encoding of a curve point (y >= p, x = 0 with the sign bit, no square root). */
  | 'public-key-encoding'
  /** The public key is a point of order 1, 2, 4 or 8: anyone could forge signatures for it. */
  | 'public-key-small-order'
  /** The public key has a small-order component (it is not in the prime-order subgroup). */
  | 'public-key-mixed-order'
  /** The verification equation fails: R is not the canonical encoding of [S]B - [k]A. */
  | 'equation';

/** Verdict of a strict verification. */
export type Ed25519Verdict = 'valid' | Ed25519Refusal;

/** Field prime p = 2^255 - 19. */
export const FIELD_P = 2n ** 255n - 19n;
/** Prime group order L = 2^252 + 27742317777372353535851937790883648493. */
export const GROUP_ORDER_L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** L as 32 little-endian bytes, for the byte-wise S < L check. */
const L_LE = littleEndian32(GROUP_ORDER_L);

/** y of the order-8 points (and p - y for the other pair), little-endian hex of the canonical encoding. */
const ORDER_8_Y = bigIntFromLittleEndian(
  Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'),
);

/**
 * Every 32-byte string that some Ed25519 decoder maps to a point of order 1, 2, 4 or 8: the 8
 * canonical encodings of the torsion subgroup, plus the 6 non-canonical ones (x = 0 with the sign
 * bit set for y = 1 and y = p - 1; y = p and y = p + 1, which reduce to 0 and 1, with either sign).
 */
export const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = smallOrderEncodings();

const SMALL_ORDER_SET = new Set(SMALL_ORDER_ENCODINGS.map((b) => Buffer.from(b).toString('latin1')));

/** A public key that passed every rule, with its decoded point. Engines attach their own caches to it. */
export interface PreparedKey {
  readonly ok: true;
  /** The 32 key bytes (an owned copy). */
  readonly raw: Uint8Array;
  /** Cache identity of the key (the bytes as a latin1 string). */
  readonly id: string;
  /** The decoded point A. */
  readonly point: Point;
  /** Engine-specific caches (the node:crypto KeyObject), filled on first use. */
  readonly engineCache: Map<string, unknown>;
}

/** A public key refused by the rules. */
export interface RefusedKey {
  readonly ok: false;
  readonly reason: 'public-key-length' | 'public-key-encoding' | 'public-key-small-order' | 'public-key-mixed-order';
}

const preparedKeys = new BoundedCache<string, PreparedKey | RefusedKey>(512);

/**
 * Decodes and checks a public key once; the result is cached by key bytes (up to 512 keys).
 * Refuses: not 32 bytes; non-canonical or invalid encodings (strict RFC 8032 decoding: y < p,
 * no x = 0 with the sign bit set, y must give a square); small-order points; points outside the
 * prime-order subgroup.
 */
export function preparePublicKey(publicKey: Uint8Array): PreparedKey | RefusedKey {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return { ok: false, reason: 'public-key-length' };
  const id = latin1(publicKey);
  const cached = preparedKeys.get(id);
  if (cached) return cached;
  return preparedKeys.set(id, analyse(Uint8Array.from(publicKey), id));
}

function analyse(raw: Uint8Array, id: string): PreparedKey | RefusedKey {
  let point: Point;
  try {
    point = Point.fromBytes(raw, false); // strict: y < p, x = 0 with sign bit refused, on-curve
  } catch {
    return { ok: false, reason: 'public-key-encoding' };
  }
  if (point.isSmallOrder()) return { ok: false, reason: 'public-key-small-order' };
  if (!point.isTorsionFree()) return { ok: false, reason: 'public-key-mixed-order' };
  return { ok: true, raw, id, point, engineCache: new Map() };
}

/** Per-signature checks that need no curve arithmetic: length, S < L, R not a small-order encoding. */
export function signatureRefusal(signature: Uint8Array): Ed25519Refusal | undefined {
  if (signature.length !== 64) return 'signature-length';
  if (!scalarBelowOrder(signature, 32)) return 's-out-of-range';
  if (SMALL_ORDER_SET.has(latin1(signature.subarray(0, 32)))) return 'r-small-order';
  return undefined;
}

/** True when the 32 little-endian bytes at `offset` encode an integer below L. */
export function scalarBelowOrder(bytes: Uint8Array, offset: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = bytes[offset + i];
    const b = L_LE[i];
    if (a !== b) return a < b;
  }
  return false; // equal to L
}

/** Integer from little-endian bytes. */
export function bigIntFromLittleEndian(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
}

/** 32 little-endian bytes of an integer below 2^256. */
export function littleEndian32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse());
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function smallOrderEncodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const push = (y: bigint, sign: boolean) => {
    const b = littleEndian32(y);
    if (sign) b[31] |= 0x80;
    out.push(b);
  };
  // Canonical: identity (0, 1) and order-2 (0, -1) have x = 0, so only sign 0; order-4 (y = 0) and
  // order-8 (y = ORDER_8_Y or p - ORDER_8_Y) points come in +/- x pairs.
  push(1n, false);
  push(FIELD_P - 1n, false);
  for (const y of [0n, ORDER_8_Y, FIELD_P - ORDER_8_Y]) {
    push(y, false);
    push(y, true);
  }
  // Non-canonical: x = 0 with the sign bit; y >= p (only p and p + 1 fit below 2^255 among small-order y).
  push(1n, true);
  push(FIELD_P - 1n, true);
  for (const y of [FIELD_P, FIELD_P + 1n]) {
    push(y, false);
    push(y, true);
  }
  return out;
}
