import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as noble from '@noble/ed25519';
import { checkEd25519, verifyEd25519 } from '../../../lib/node';
import { loadWycheproof } from './helpers/wycheproof';

// Read in place from the shared folder beside the repository (never copied into the project).
const VECTORS = path.resolve(__dirname, '../../../../shared/vectors/wycheproof-ed25519_test.json');

noble.hashes.sha512 = (m: Uint8Array) => new Uint8Array(createHash('sha512').update(m).digest());

/** noble's own verify(); it throws on wrong lengths, which counts as a refusal. */
function nobleVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, opts?: noble.EdDSAVerifyOpts): boolean {
  try {
    return noble.verify(sig, msg, pk, opts);
  } catch {
    return false;
  }
}

describe('Wycheproof Ed25519 vectors', () => {
  const { numberOfTests, cases } = loadWycheproof(VECTORS);

  test('GIVEN the vector file WHEN loaded THEN it holds all 151 cases', () => {
    expect(numberOfTests).toBe(151);
    expect(cases).toHaveLength(151);
    expect(new Set(cases.map((c) => c.tcId)).size).toBe(151);
  });

  describe.each(['node', 'noble', 'auto'] as const)('engine %s', (engine) => {
    test('GIVEN every case WHEN verified strictly THEN the result is the expected one', () => {
      const wrong = cases.filter((c) => verifyEd25519(c.pk, c.msg, c.sig, { engine }) !== c.valid).map((c) => c.tcId);
      expect(wrong).toEqual([]);
    });
  });

  test('GIVEN the invalid cases WHEN checked THEN both engines give the same refusal reason', () => {
    for (const c of cases.filter((x) => !x.valid)) {
      expect([c.tcId, checkEd25519(c.pk, c.msg, c.sig, { engine: 'noble' })]).toEqual([
        c.tcId,
        checkEd25519(c.pk, c.msg, c.sig, { engine: 'node' }),
      ]);
    }
  });

  test('GIVEN the invalid cases WHEN checked THEN each is refused for the expected class', () => {
    const reasons = new Map(cases.filter((c) => !c.valid).map((c) => [c.tcId, checkEd25519(c.pk, c.msg, c.sig)]));
    for (const id of [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41]) expect(reasons.get(id)).toBe('signature-length');
    for (const id of [63, 64, 65, 66, 85]) expect(reasons.get(id)).toBe('s-out-of-range');
    expect(reasons.get(151)).toBe('r-small-order'); // R = identity with the x sign bit (non-canonical)
    expect(reasons.get(60)).toBe('r-small-order'); // R = 0...0 encodes a point of order 4
  });

  test("GIVEN noble's own verify in strict mode (zip215: false) WHEN run on every case THEN it agrees with the vectors", () => {
    const wrong = cases
      .filter((c) => nobleVerify(c.sig, c.msg, c.pk, { zip215: false }) !== c.valid)
      .map((c) => c.tcId);
    expect(wrong).toEqual([]);
  });

  test("GIVEN noble's default ZIP-215 mode WHEN run on every case THEN it gets exactly tcId 151 wrong (it accepts R = identity with the sign bit set)", () => {
    const wrong = cases.filter((c) => nobleVerify(c.sig, c.msg, c.pk) !== c.valid);
    expect(wrong.map((c) => c.tcId)).toEqual([151]);
    expect(wrong[0].valid).toBe(false); // accepted although invalid
    expect(wrong[0].flags).toEqual(['InvalidEncoding']);
  });
});
