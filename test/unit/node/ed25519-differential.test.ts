import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import * as noble from '@noble/ed25519';
import { checkEd25519, SMALL_ORDER_ENCODINGS, verifyEd25519 } from '../../../lib/node';
import { nodeEngineVerify } from '../../../lib/node/ed25519-node';
import { nobleEngineVerify } from '../../../lib/node/private/ed25519-noble';
import { PreparedKey } from '../../../lib/node/ed25519-rules';
import * as path from 'node:path';
import { loadWycheproof } from './helpers/wycheproof';
import {
  CraftKey,
  L,
  P,
  TORSION,
  addToS,
  concat,
  craftKey,
  forgeForSmallOrderKey,
  le32,
  signWithNonce,
  signWithREncoding,
} from './helpers/craft';

noble.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

const KEYS: CraftKey[] = [1, 2, 3, 4].map((i) =>
  craftKey(createHash('sha256').update(`differential key ${i}`).digest()),
);

/** An input triple and the class it was made for. */
interface Case {
  readonly kind: string;
  readonly pk: Uint8Array;
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

function honest(key: CraftKey, msg: Uint8Array, nonce: bigint): Uint8Array {
  return signWithNonce(key, msg, nonce);
}

const flipBit = (b: Uint8Array, bit: number) => {
  const c = Uint8Array.from(b);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
};

/** Non-canonical encodings y + p (y < 19) with either sign bit, which lenient decoders reduce mod p. */
const NON_CANONICAL_Y = Array.from({ length: 19 }, (_, y) => [
  le32(P + BigInt(y)),
  flipBit(le32(P + BigInt(y)), 255),
]).flat();

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    key: fc.constantFrom(...KEYS),
    msg: fc.uint8Array({ maxLength: 96 }),
    nonce: fc.bigInt({ min: 1n, max: L - 1n }),
    bit: fc.nat({ max: 511 }),
    j: fc.integer({ min: 1, max: 7 }),
    n: fc.integer({ min: 1, max: 15 }),
    small: fc.constantFrom(...SMALL_ORDER_ENCODINGS),
    nonCanonical: fc.constantFrom(...NON_CANONICAL_Y),
    junk: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    cut: fc.nat({ max: 63 }),
    random: fc.record({
      pk: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      sig: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    }),
    kind: fc.constantFrom(
      'valid',
      'sig-bit-flip',
      'pk-bit-flip',
      'msg-changed',
      'truncated',
      'trailing-bytes',
      's-plus-nL',
      'r-small-order',
      'r-mixed-order',
      'r-sign-flip',
      'a-small-order-forgery',
      'a-mixed-order',
      'a-non-canonical',
      'random',
    ),
  })
  .map(({ key, msg, nonce, bit, j, n, small, nonCanonical, junk, cut, random, kind }): Case => {
    const sig = honest(key, msg, nonce);
    switch (kind) {
      case 'valid':
        return { kind, pk: key.pk, msg, sig };
      case 'sig-bit-flip':
        return { kind, pk: key.pk, msg, sig: flipBit(sig, bit) };
      case 'pk-bit-flip':
        return { kind, pk: flipBit(key.pk, bit & 255), msg, sig };
      case 'msg-changed':
        return { kind, pk: key.pk, msg: concat(msg, junk), sig };
      case 'truncated':
        return { kind, pk: key.pk, msg, sig: sig.subarray(0, cut) };
      case 'trailing-bytes':
        return { kind, pk: key.pk, msg, sig: concat(sig, junk) };
      case 's-plus-nL': {
        const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`) + BigInt(n) * L;
        return { kind, pk: key.pk, msg, sig: s < 2n ** 256n ? addToS(sig, BigInt(n)) : addToS(sig, 1n) };
      }
      case 'r-small-order':
        return { kind, pk: key.pk, msg, sig: signWithREncoding(key, msg, small) };
      case 'r-mixed-order':
        return { kind, pk: key.pk, msg, sig: signWithNonce(key, msg, nonce, TORSION[j]) };
      case 'r-sign-flip':
        return { kind, pk: key.pk, msg, sig: flipBit(sig, 255) };
      case 'a-small-order-forgery': {
        const pt = noble.Point.fromBytes(small, true);
        return { kind, pk: small, msg, sig: forgeForSmallOrderKey(small, pt, msg) };
      }
      case 'a-mixed-order': {
        const pk = key.A.add(TORSION[j]).toBytes();
        return { kind, pk, msg, sig: signWithNonce(key, msg, nonce, undefined, pk) };
      }
      case 'a-non-canonical':
        return { kind, pk: nonCanonical, msg, sig };
      default:
        return { kind, pk: random.pk, msg, sig: random.sig };
    }
  });

describe('differential: node:crypto engine vs noble engine', () => {
  test('GIVEN valid, mutated, crafted and random inputs WHEN verified by both engines THEN they give the same verdict, and only valid signatures pass', () => {
    const accepted = new Map<string, number>();
    fc.assert(
      fc.property(caseArb, (c) => {
        const node = checkEd25519(c.pk, c.msg, c.sig, { engine: 'node' });
        const nob = checkEd25519(c.pk, c.msg, c.sig, { engine: 'noble' });
        expect(nob).toBe(node);
        if (node === 'valid') accepted.set(c.kind, (accepted.get(c.kind) ?? 0) + 1);
      }),
      { numRuns: 1500, seed: 20251125 },
    );
    // Only honest signatures are accepted: every mutated or crafted class is refused.
    expect([...accepted.keys()]).toEqual(['valid']);
    expect(accepted.get('valid')).toBeGreaterThan(50);
  });

  test.each([
    ['truncated', ['signature-length']],
    ['trailing-bytes', ['signature-length']],
    ['s-plus-nL', ['s-out-of-range']],
    ['r-small-order', ['r-small-order']],
    ['r-mixed-order', ['equation']],
    // the 6 non-canonical small-order encodings fail strict decoding first
    ['a-small-order-forgery', ['public-key-small-order', 'public-key-encoding']],
    ['a-mixed-order', ['public-key-mixed-order']],
  ])('GIVEN %s inputs WHEN checked on both engines THEN both refuse with %p', (kind, reasons) => {
    fc.assert(
      fc.property(
        caseArb.filter((c) => c.kind === kind),
        (c) => {
          const node = checkEd25519(c.pk, c.msg, c.sig, { engine: 'node' });
          expect(reasons).toContain(node);
          expect(checkEd25519(c.pk, c.msg, c.sig, { engine: 'noble' })).toBe(node);
        },
      ),
      { numRuns: 20, seed: 7 },
    );
  });

  test('GIVEN the Wycheproof inputs with random bit flips, truncations and extensions WHEN verified by both engines THEN they agree', () => {
    const { cases } = loadWycheproof(
      path.resolve(__dirname, '../../../../shared/vectors/wycheproof-ed25519_test.json'),
    );
    for (const c of cases)
      expect(verifyEd25519(c.pk, c.msg, c.sig, { engine: 'noble' })).toBe(
        verifyEd25519(c.pk, c.msg, c.sig, { engine: 'node' }),
      );
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.constantFrom('sig', 'pk', 'msg', 'cut', 'extend'),
        fc.nat({ max: 511 }),
        (c, where, bit) => {
          let { pk, msg, sig } = c as { pk: Uint8Array; msg: Uint8Array; sig: Uint8Array };
          if (where === 'sig' && sig.length > 0) sig = flipBit(sig, bit % (sig.length * 8));
          if (where === 'pk') pk = flipBit(pk, bit & 255);
          if (where === 'msg') msg = msg.length > 0 ? flipBit(msg, bit % (msg.length * 8)) : Uint8Array.of(bit & 255);
          if (where === 'cut') sig = sig.subarray(0, bit % (sig.length + 1));
          if (where === 'extend') sig = concat(sig, Uint8Array.of(bit & 255));
          const node = checkEd25519(pk, msg, sig, { engine: 'node' });
          expect(checkEd25519(pk, msg, sig, { engine: 'noble' })).toBe(node);
          // a mutated valid case never verifies (an invalid one may be flipped back into a valid one)
          if (c.valid && !(where === 'cut' && sig.length === c.sig.length)) expect(node).not.toBe('valid');
        },
      ),
      { numRuns: 400, seed: 151 },
    );
  });

  test('GIVEN every non-canonical key encoding y + p WHEN checked THEN both engines refuse it before the equation', () => {
    const sig = concat(noble.Point.BASE.toBytes(), new Uint8Array(32));
    for (const pk of NON_CANONICAL_Y) {
      const verdicts = new Set(
        (['node', 'noble'] as const).map((engine) => checkEd25519(pk, new Uint8Array(0), sig, { engine })),
      );
      expect(verdicts.size).toBe(1);
      expect(['public-key-encoding', 'public-key-small-order', 'public-key-mixed-order']).toContain([...verdicts][0]);
    }
  });
});

describe('why the shared rules exist: what each library does alone', () => {
  const key = KEYS[0];
  const msg = Buffer.from('task: drain gpu-node-17');
  const prepared = (pk: Uint8Array): PreparedKey => ({
    ok: true,
    raw: pk,
    id: Buffer.from(pk).toString('latin1'),
    point: noble.Point.fromBytes(pk, true),
    engineCache: new Map(),
  });
  const strict = (sig: Uint8Array, pk: Uint8Array) => noble.verify(sig, msg, pk, { zip215: false });

  test('GIVEN a small-order public key WHEN node:crypto verifies a forgery alone THEN it accepts; noble strict refuses; the library refuses', () => {
    for (const pk of SMALL_ORDER_ENCODINGS.slice(0, 8)) {
      const sig = forgeForSmallOrderKey(pk, noble.Point.fromBytes(pk, true), msg);
      expect(nodeEngineVerify(prepared(pk), msg, sig)).toBe(true);
      expect(strict(sig, pk)).toBe(false);
      expect(checkEd25519(pk, msg, sig)).toBe('public-key-small-order');
    }
  });

  test("GIVEN R with a small-order component WHEN verified THEN node:crypto refuses, noble strict (cofactored) accepts, the noble engine refuses it by R's order", () => {
    for (const t of TORSION.slice(1)) {
      const sig = signWithNonce(key, msg, 12345n, t);
      expect(nodeEngineVerify(prepared(key.pk), msg, sig)).toBe(false);
      expect(strict(sig, key.pk)).toBe(true);
      expect(noble.Point.fromBytes(sig.subarray(0, 32), false).isTorsionFree()).toBe(false);
      expect(nobleEngineVerify(prepared(key.pk), msg, sig)).toBe(false);
    }
    const honestSig = signWithNonce(key, msg, 12345n);
    expect(nobleEngineVerify(prepared(key.pk), msg, honestSig)).toBe(true);
  });

  test('GIVEN a small-order R with S = k*a WHEN verified THEN node:crypto refuses it (except the identity) and noble strict accepts it; the library refuses all', () => {
    SMALL_ORDER_ENCODINGS.slice(0, 8).forEach((r, i) => {
      const sig = signWithREncoding(key, msg, r);
      expect(nodeEngineVerify(prepared(key.pk), msg, sig)).toBe(i === 0); // index 0 is the identity
      expect(strict(sig, key.pk)).toBe(true);
      expect(checkEd25519(key.pk, msg, sig, { engine: 'node' })).toBe('r-small-order');
      expect(checkEd25519(key.pk, msg, sig, { engine: 'noble' })).toBe('r-small-order');
    });
  });

  test('GIVEN a mixed-order public key WHEN its holder signs 40 messages THEN node:crypto accepts only those with 8 | k, noble strict accepts all, the library refuses all', () => {
    const pk = key.A.add(TORSION[1]).toBytes();
    let nodeAccepted = 0;
    for (let i = 0; i < 40; i++) {
      const m = Buffer.from(`message ${i}`);
      const sig = signWithNonce(key, m, BigInt(1000 + i), undefined, pk);
      if (nodeEngineVerify(prepared(pk), m, sig)) nodeAccepted++;
      expect(noble.verify(sig, m, pk, { zip215: false })).toBe(true);
      expect(checkEd25519(pk, m, sig)).toBe('public-key-mixed-order');
    }
    expect(nodeAccepted).toBeGreaterThan(0);
    expect(nodeAccepted).toBeLessThan(40);
  });

  test('GIVEN the identity key in a non-canonical encoding (y = p + 1) WHEN node:crypto verifies a forgery alone THEN it accepts; the library refuses the encoding', () => {
    const pk = le32(P + 1n);
    const sig = forgeForSmallOrderKey(pk, noble.Point.ZERO, msg);
    expect(nodeEngineVerify(prepared(le32(1n)), msg, sig)).toBe(true); // any encoding of the identity
    expect(checkEd25519(pk, msg, sig)).toBe('public-key-encoding');
  });
});
