/**
 * The portable engine: Ed25519 verification with @noble/ed25519's point arithmetic.
 *
 * It checks the same equation as the node:crypto engine, cofactorless: R must be byte-for-byte
 * the canonical encoding of [S]B - [k]A, with k = SHA-512(R || A || M) mod L. noble's own
 * `verify(..., { zip215: false })` is not used per signature because (1) it is cofactored
 * ([8]R = [8]([S]B - [k]A)), so it accepts signatures whose R carries a small-order component
 * (which a key holder can craft and node:crypto refuses), and (2) it decodes the key and runs a
 * generic double-and-add on every call (about 13x slower than node:crypto here). Instead:
 * - A is decoded once, strictly (`Point.fromBytes(bytes, false)`: y < p, no x = 0 with the sign
 *   bit), in `preparePublicKey`, and cached;
 * - [S]B uses a fixed-window table of B (8-bit windows, built once per process, about 70 ms);
 * - [k](-A) uses a per-key table of -A (6-bit windows, built on the key's first use, about 12 ms,
 *   cached for the 32 most recently added keys);
 * - the result is encoded (noble's `toBytes`, canonical) and compared with R.
 * Verification handles public data only, so variable-time arithmetic is fine here.
 */
import { createHash } from 'node:crypto';
import { Point } from '@noble/ed25519';
import { BoundedCache } from './bounded-cache';
import { GROUP_ORDER_L, PreparedKey, bigIntFromLittleEndian, scalarBelowOrder } from './ed25519-rules';

interface WindowTable {
  readonly bits: number;
  /** rows[i][d] = d * 2^(bits*i) * P, for d in 1 .. 2^bits - 1 (index 0 unused). */
  readonly rows: readonly (readonly Point[])[];
}

/** Per-key tables (about 0.5 MB each), at most 32 kept: a verifier set holds a handful of keys. */
const keyTables = new BoundedCache<string, WindowTable>(32);
let baseTable: WindowTable | undefined;

function buildTable(p: Point, bits: number, scalarBits: number): WindowTable {
  const rows: Point[][] = [];
  let base = p;
  for (let i = 0; i < Math.ceil(scalarBits / bits); i++) {
    const row: Point[] = [Point.ZERO, base];
    for (let d = 2; d < 1 << bits; d++) row.push(row[d - 1].add(base));
    rows.push(row);
    for (let j = 0; j < bits; j++) base = base.double();
  }
  return { bits, rows };
}

/** acc + [n]P using P's window table; n must be below 2^(bits * rows). */
function addMultiple(acc: Point, table: WindowTable, n: bigint): Point {
  const mask = BigInt((1 << table.bits) - 1);
  const shift = BigInt(table.bits);
  for (let i = 0; n > 0n; i++) {
    const digit = Number(n & mask);
    if (digit !== 0) acc = acc.add(table.rows[i][digit]);
    n >>= shift;
  }
  return acc;
}

function negatedKeyTable(key: PreparedKey): WindowTable {
  return keyTables.get(key.id) ?? keyTables.set(key.id, buildTable(key.point.negate(), 6, 253)); // k < L < 2^253
}

/**
 * Raw noble verification of a prepared key (callers apply the shared rules first). Refuses S >= L
 * itself as well, since the table arithmetic would otherwise reduce S silently. Never throws.
 */
export function nobleEngineVerify(key: PreparedKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (signature.length !== 64 || !scalarBelowOrder(signature, 32)) return false;
    const r = signature.subarray(0, 32);
    const s = bigIntFromLittleEndian(signature.subarray(32, 64));
    const k =
      bigIntFromLittleEndian(createHash('sha512').update(r).update(key.raw).update(message).digest()) % GROUP_ORDER_L;
    baseTable ??= buildTable(Point.BASE, 8, 256);
    const expectedR = addMultiple(addMultiple(Point.ZERO, baseTable, s), negatedKeyTable(key), k).toBytes();
    return Buffer.from(expectedR).equals(r);
  } catch {
    return false;
  }
}
