import { createHash } from 'node:crypto';
import { Point, hashes } from '@noble/ed25519';
import {
  SMALL_ORDER_ENCODINGS,
  checkEd25519,
  nodeEd25519Available,
  resolveEd25519Engine,
  verifyEd25519,
} from '../../../lib/node';
import { preparePublicKey, scalarBelowOrder, signatureRefusal } from '../../../lib/node/ed25519-rules';
import { L, P, TORSION, concat, craftKey, le32, signWithNonce } from './helpers/craft';

const key = craftKey(createHash('sha256').update('rules key').digest());
const msg = Buffer.from('{"task":"reboot","node":"gpu-node-3"}');

describe('small-order encodings', () => {
  test('GIVEN the list WHEN inspected THEN it holds the 8 canonical torsion points first and 6 non-canonical forms, all distinct', () => {
    expect(SMALL_ORDER_ENCODINGS).toHaveLength(14);
    const hex = SMALL_ORDER_ENCODINGS.map((b) => Buffer.from(b).toString('hex'));
    expect(new Set(hex).size).toBe(14);
    const torsion = new Set(TORSION.map((t) => Buffer.from(t.toBytes()).toString('hex')));
    expect(new Set(hex.slice(0, 8))).toEqual(torsion);
    for (const b of SMALL_ORDER_ENCODINGS.slice(8)) expect(() => Point.fromBytes(b, false)).toThrow();
  });

  test('GIVEN each encoding WHEN decoded leniently THEN it is a point of order dividing 8', () => {
    for (const b of SMALL_ORDER_ENCODINGS) expect(Point.fromBytes(b, true).isSmallOrder()).toBe(true);
  });
});

describe('S < L', () => {
  test.each([
    [0n, true],
    [L - 1n, true],
    [L, false],
    [L + 1n, false],
    [2n ** 253n, false],
    [2n ** 256n - 1n, false],
  ])('GIVEN S = %p WHEN checked THEN below L is %p', (s, expected) => {
    expect(scalarBelowOrder(concat(new Uint8Array(32), le32(s)), 32)).toBe(expected);
  });
});

describe('signature pre-checks', () => {
  test('GIVEN an honest signature WHEN pre-checked THEN nothing is refused', () => {
    expect(signatureRefusal(signWithNonce(key, msg, 99n))).toBeUndefined();
  });

  test.each([0, 1, 63, 65, 128])(
    'GIVEN a %p-byte signature WHEN pre-checked THEN it is refused for its length',
    (n) => {
      expect(signatureRefusal(new Uint8Array(n))).toBe('signature-length');
    },
  );
});

describe('public key rules', () => {
  test('GIVEN an honest key WHEN prepared THEN it is accepted and cached', () => {
    const a = preparePublicKey(key.pk);
    expect(a.ok).toBe(true);
    expect(preparePublicKey(Uint8Array.from(key.pk))).toBe(a);
  });

  test.each([
    ['31 bytes', new Uint8Array(31), 'public-key-length'],
    ['33 bytes', new Uint8Array(33), 'public-key-length'],
    ['y = p (non-canonical 0)', le32(P), 'public-key-encoding'],
    ['y = p + 1 (non-canonical identity)', le32(P + 1n), 'public-key-encoding'],
    ['identity with the x sign bit', concat(le32(1n).subarray(0, 31), Uint8Array.of(0x80)), 'public-key-encoding'],
    ['y = 2 (not on the curve)', le32(2n), 'public-key-encoding'],
    ['identity', le32(1n), 'public-key-small-order'],
    ['order-8 point', TORSION[1].toBytes(), 'public-key-small-order'],
    ['honest key + order-2 point', key.A.add(TORSION[4]).toBytes(), 'public-key-mixed-order'],
    ['honest key + order-8 point', key.A.add(TORSION[1]).toBytes(), 'public-key-mixed-order'],
  ])('GIVEN a key that is %s WHEN prepared THEN it is refused with %p', (_, pk, reason) => {
    const a = preparePublicKey(pk);
    expect(a.ok ? 'ok' : a.reason).toBe(reason);
    expect(checkEd25519(pk, msg, signWithNonce(key, msg, 5n), { engine: 'node' })).toBe(reason);
    expect(checkEd25519(pk, msg, signWithNonce(key, msg, 5n), { engine: 'noble' })).toBe(reason);
  });
});

describe('engine selection', () => {
  test('GIVEN this runtime WHEN the node:crypto self-test runs THEN Ed25519 is available and auto resolves to node', () => {
    expect(nodeEd25519Available()).toBe(true);
    expect(resolveEd25519Engine()).toBe('node');
    expect(resolveEd25519Engine('auto')).toBe('node');
    expect(resolveEd25519Engine('noble')).toBe('noble');
  });

  test('GIVEN an unknown engine name WHEN resolved THEN it is a programming error (TypeError)', () => {
    expect(() => resolveEd25519Engine('openssl' as never)).toThrow(TypeError);
    expect(() => verifyEd25519(key.pk, msg, new Uint8Array(64), { engine: 'fast' as never })).toThrow(TypeError);
  });

  test('GIVEN arguments that are not bytes WHEN verified THEN the verdict is invalid-input, without throwing', () => {
    const sig = signWithNonce(key, msg, 5n);
    expect(checkEd25519('key' as never, msg, sig)).toBe('invalid-input');
    expect(checkEd25519(key.pk, 'msg' as never, sig)).toBe('invalid-input');
    expect(checkEd25519(key.pk, msg, [1, 2] as never)).toBe('invalid-input');
    expect(checkEd25519(key.pk, msg, sig)).toBe('valid');
  });

  test("GIVEN noble's SHA-512 slot WHEN the noble engine verifies THEN it fills an empty slot with node:crypto's and keeps an application's own", () => {
    const sig = signWithNonce(key, msg, 13n);
    const before = hashes.sha512;
    try {
      hashes.sha512 = undefined;
      expect(verifyEd25519(key.pk, msg, sig, { engine: 'noble' })).toBe(true);
      expect(Buffer.from(hashes.sha512!(Buffer.from('abc'))).toString('hex')).toBe(
        createHash('sha512').update('abc').digest('hex'),
      );
      let calls = 0;
      const own = (m: Uint8Array) => (calls++, new Uint8Array(createHash('sha512').update(m).digest()));
      hashes.sha512 = own;
      expect(verifyEd25519(key.pk, msg, sig, { engine: 'noble' })).toBe(true);
      expect(hashes.sha512).toBe(own);
      expect(calls).toBe(1);
    } finally {
      hashes.sha512 = before;
    }
  });

  test('GIVEN a valid signature WHEN verified on each engine THEN both accept; a Buffer and a Uint8Array view give the same result', () => {
    const sig = signWithNonce(key, msg, 12n);
    const backing = new Uint8Array(67);
    backing.set(sig, 3);
    const view = backing.subarray(3);
    for (const engine of ['node', 'noble'] as const) {
      expect(verifyEd25519(key.pk, msg, sig, { engine })).toBe(true);
      expect(verifyEd25519(Buffer.from(key.pk), Buffer.from(msg), view, { engine })).toBe(true);
    }
  });
});
