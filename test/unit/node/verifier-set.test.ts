import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import {
  NodeTrustError,
  NodeTrustErrorCode as Code,
  PUBKEYS_FORMAT_V1,
  VerifierSetV1,
  computeKid,
  parseVerifierSet,
  renderVerifierSet,
  validateVerifierSet,
} from '../../../lib/node';
import { P, TORSION, craftKey, le32 } from './helpers/craft';
import { KEY_NAME, TestSigner } from './helpers/signer';

const signer = new TestSigner();
const UNTIL = '2026-03-01T00:00:00Z';

/** The rendered text of a set built from a plain object, bypassing validation. */
const text = (value: unknown) => JSON.stringify(value);

/** The error code thrown by fn, or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof NodeTrustError) return e.code;
    throw e;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Sets an unused bit of the last base64 character: decodes to the same bytes, but is not canonical. */
function setTrailingBit(b64: string): string {
  const last = b64.length - 2; // 32 bytes: 43 characters + "="
  const changed = b64.slice(0, last) + B64[B64.indexOf(b64[last]) | 1] + b64.slice(last + 1);
  expect(Buffer.from(changed, 'base64')).toEqual(Buffer.from(b64, 'base64'));
  return changed;
}

function base(): { format: string; key: string; keys: Record<string, unknown>[] } {
  return JSON.parse(JSON.stringify(signer.set([1, 'grace', UNTIL], [2, 'active'], [3, 'next'])));
}

describe('computeKid', () => {
  test('GIVEN a key name, version and base64 key WHEN computed THEN it is <key>:v<version>:<16 hex of sha256(base64 text)>', () => {
    const b64 = Buffer.alloc(32).toString('base64');
    const digest = createHash('sha256').update(b64, 'utf8').digest('hex').slice(0, 16);
    expect(computeKid('gpuaas-task-signing', 7, b64)).toBe(`gpuaas-task-signing:v7:${digest}`);
    expect(computeKid('k', 1, b64)).toMatch(/^k:v1:[0-9a-f]{16}$/);
  });

  test('GIVEN wrong argument types WHEN computed THEN it is a programming error', () => {
    expect(() => computeKid('k', 1.5, 'x')).toThrow(TypeError);
  });
});

describe('parseVerifierSet: passing cases', () => {
  test('GIVEN a single active entry WHEN parsed THEN the set is returned, deeply frozen', () => {
    const set = signer.set([1, 'active']);
    const parsed = parseVerifierSet(renderVerifierSet(set));
    expect(parsed).toEqual(set);
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.keys)).toBe(true);
    expect(Object.isFrozen(parsed.keys[0])).toBe(true);
  });

  test('GIVEN grace, active and next entries WHEN parsed THEN all three are kept in order', () => {
    const set = signer.set([1, 'grace', UNTIL], [2, 'grace', '2026-04-01T12:30:00.250Z'], [4, 'active'], [9, 'next']);
    expect(parseVerifierSet(renderVerifierSet(set))).toEqual(set);
  });

  test('GIVEN a set WHEN rendered THEN keys are sorted at every level (as Terraform jsonencode renders it)', () => {
    const rendered = renderVerifierSet(signer.set([1, 'grace', UNTIL], [2, 'active']));
    expect(rendered).toBe(
      `{"format":"${PUBKEYS_FORMAT_V1}","key":"${KEY_NAME}","keys":[` +
        `{"alg":"ed25519","kid":"${signer.kid(1)}","public_key":"${signer.publicKeyB64(1)}","state":"grace","until":"${UNTIL}","version":1},` +
        `{"alg":"ed25519","kid":"${signer.kid(2)}","public_key":"${signer.publicKeyB64(2)}","state":"active","version":2}]}`,
    );
  });

  test('GIVEN a set whose object fields are in another order WHEN rendered THEN the output is still canonical', () => {
    const set = signer.set([1, 'active']);
    const shuffled = {
      keys: [{ state: 'active', public_key: set.keys[0].public_key, alg: 'ed25519', kid: set.keys[0].kid, version: 1 }],
      key: KEY_NAME,
      format: PUBKEYS_FORMAT_V1,
    };
    expect(renderVerifierSet(shuffled as VerifierSetV1)).toBe(renderVerifierSet(set));
    expect(validateVerifierSet(shuffled)).toEqual(set);
  });
});

describe('parseVerifierSet: every rule refuses', () => {
  type Mutator = (s: ReturnType<typeof base>) => unknown;
  const cases: [string, Mutator, Code][] = [
    ['an array', () => [], Code.MALFORMED],
    ['null', () => null, Code.MALFORMED],
    ['an unknown top-level field', (s) => ({ ...s, comment: 'x' }), Code.INVALID_FIELD],
    ['a missing keys field', (s) => ({ format: s.format, key: s.key }), Code.INVALID_FIELD],
    ['another format id', (s) => ({ ...s, format: 'gpuaas-task-signing-pubkeys/v2' }), Code.INVALID_FIELD],
    ['a key name with ":"', (s) => ({ ...s, key: 'a:b' }), Code.INVALID_FIELD],
    ['a key name with "/"', (s) => ({ ...s, key: 'team/key' }), Code.INVALID_FIELD],
    ['an empty key name', (s) => ({ ...s, key: '' }), Code.INVALID_FIELD],
    ['no entries', (s) => ({ ...s, keys: [] }), Code.INVALID_FIELD],
    ['keys not an array', (s) => ({ ...s, keys: {} }), Code.INVALID_FIELD],
    ['33 entries', (s) => ({ ...s, keys: Array.from({ length: 33 }, () => s.keys[1]) }), Code.INVALID_FIELD],
    ['an unknown entry field', (s) => ((s.keys[1].note = 'x'), s), Code.INVALID_FIELD],
    ['a missing kid', (s) => (delete s.keys[1].kid, s), Code.INVALID_FIELD],
    ['version 0', (s) => ({ ...s, keys: [{ ...signer.entry([1, 'active']), version: 0 }] }), Code.INVALID_VERSIONS],
    ['a negative version', (s) => ((s.keys[0].version = -1), s), Code.INVALID_VERSIONS],
    ['a fractional version', (s) => ((s.keys[0].version = 1.5), s), Code.INVALID_VERSIONS],
    ['a string version', (s) => ((s.keys[0].version = '1'), s), Code.INVALID_VERSIONS],
    ['version 2^31', (s) => ((s.keys[2].version = 2 ** 31), s), Code.INVALID_VERSIONS],
    ['unsorted versions', (s) => ({ ...s, keys: [s.keys[1], s.keys[0]] }), Code.INVALID_VERSIONS],
    ['duplicate versions', (s) => ({ ...s, keys: [s.keys[1], { ...s.keys[1] }] }), Code.INVALID_VERSIONS],
    ['alg ed448', (s) => ((s.keys[1].alg = 'ed448'), s), Code.INVALID_FIELD],
    ['alg hmac', (s) => ((s.keys[1].alg = 'hmac-sha256'), s), Code.INVALID_FIELD],
    ['a public key that is not base64', (s) => ((s.keys[1].public_key = 'not base64!'), s), Code.INVALID_PUBLIC_KEY],
    [
      'a URL-safe base64 key',
      (s) => (
        (s.keys[1].public_key = (s.keys[1].public_key as string)
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=$/, '')),
        s
      ),
      Code.INVALID_PUBLIC_KEY,
    ],
    [
      'a 31-byte key',
      (s) => ((s.keys[1].public_key = Buffer.alloc(31, 7).toString('base64')), s),
      Code.INVALID_PUBLIC_KEY,
    ],
    [
      'a 33-byte key',
      (s) => ((s.keys[1].public_key = Buffer.alloc(33, 7).toString('base64')), s),
      Code.INVALID_PUBLIC_KEY,
    ],
    [
      'a key with base64 whitespace',
      (s) => ((s.keys[1].public_key = ` ${s.keys[1].public_key}`), s),
      Code.INVALID_PUBLIC_KEY,
    ],
    [
      'a key with non-zero trailing bits (same bytes)',
      (s) => ((s.keys[1].public_key = setTrailingBit(s.keys[1].public_key as string)), s),
      Code.INVALID_PUBLIC_KEY,
    ],
    ['a wrong kid hash', (s) => ((s.keys[1].kid = `${KEY_NAME}:v2:0000000000000000`), s), Code.KID_MISMATCH],
    ['a kid naming another version', (s) => ((s.keys[1].kid = signer.kid(1)), s), Code.KID_MISMATCH],
    [
      'a kid naming another key',
      (s) => ((s.keys[1].kid = computeKid('other', 2, s.keys[1].public_key as string)), s),
      Code.KID_MISMATCH,
    ],
    ['state retired', (s) => ((s.keys[1].state = 'retired'), s), Code.INVALID_FIELD],
    ['no active entry', (s) => ((s.keys[1].state = 'grace'), (s.keys[1].until = UNTIL), s), Code.INVALID_VERSIONS],
    ['two active entries', (s) => ((s.keys[0].state = 'active'), delete s.keys[0].until, s), Code.INVALID_VERSIONS],
    [
      'two next entries',
      (s) => ({ ...s, keys: [s.keys[1], s.keys[2], signer.entry([4, 'next'])] }),
      Code.INVALID_VERSIONS,
    ],
    [
      'a next entry below the highest version',
      (s) => ({ ...s, keys: [s.keys[1], s.keys[2], signer.entry([4, 'grace', UNTIL])] }),
      Code.INVALID_VERSIONS,
    ],
    [
      'a next entry older than active',
      (s) => ({ ...s, keys: [signer.entry([1, 'next']), s.keys[1]] }),
      Code.INVALID_VERSIONS,
    ],
    [
      'a grace entry newer than active',
      (s) => ({ ...s, keys: [s.keys[1], signer.entry([3, 'grace', UNTIL])] }),
      Code.INVALID_VERSIONS,
    ],
    ['a grace entry without until', (s) => (delete s.keys[0].until, s), Code.INVALID_DATE],
    ['until with an offset', (s) => ((s.keys[0].until = '2026-03-01T00:00:00+01:00'), s), Code.INVALID_DATE],
    ['until without a time', (s) => ((s.keys[0].until = '2026-03-01'), s), Code.INVALID_DATE],
    ['until on February 30', (s) => ((s.keys[0].until = '2026-02-30T00:00:00Z'), s), Code.INVALID_DATE],
    ['until at hour 24', (s) => ((s.keys[0].until = '2026-03-01T24:00:00Z'), s), Code.INVALID_DATE],
    ['until as a number', (s) => ((s.keys[0].until = 1772323200000), s), Code.INVALID_DATE],
    ['until on the active entry', (s) => ((s.keys[1].until = UNTIL), s), Code.INVALID_FIELD],
    ['until on the next entry', (s) => ((s.keys[2].until = UNTIL), s), Code.INVALID_FIELD],
  ];

  test.each(cases)('GIVEN %s WHEN parsed THEN it is refused with its code', (_, mutate, code) => {
    expect(outcome(() => parseVerifierSet(text(base())))).toBe('ok');
    expect(outcome(() => parseVerifierSet(text(mutate(base()))))).toBe(code);
  });

  test.each([
    ['the identity point', le32(1n)],
    ['an order-8 point', TORSION[1].toBytes()],
    ['a mixed-order point', craftKey(Buffer.alloc(32, 1)).A.add(TORSION[2]).toBytes()],
    ['a non-canonical encoding (y = p + 1)', le32(P + 1n)],
    ['an encoding that is not on the curve', le32(2n)],
  ])('GIVEN a public key that is %s WHEN parsed THEN it is refused: such a key would accept forgeries', (_, pk) => {
    const s = base();
    const b64 = Buffer.from(pk).toString('base64');
    s.keys[1].public_key = b64;
    s.keys[1].kid = computeKid(KEY_NAME, 2, b64);
    expect(() => parseVerifierSet(text(s))).toThrow(/keys\[1\]\.public_key: is not a usable Ed25519 public key/);
    expect(outcome(() => parseVerifierSet(text(s)))).toBe(Code.INVALID_PUBLIC_KEY);
  });

  test.each([
    ['not a string', 42, Code.MALFORMED],
    ['empty', '', Code.MALFORMED],
    ['not JSON', '{format:', Code.MALFORMED],
    ['longer than 16 KiB', `{"x":"${'a'.repeat(16400)}"}`, Code.MALFORMED],
  ])('GIVEN a value that is %s WHEN parsed THEN it is refused', (_, value, code) => {
    expect(outcome(() => parseVerifierSet(value as string))).toBe(code);
  });

  test.each([
    ['pretty-printed', (t: string) => JSON.stringify(JSON.parse(t), null, 2)],
    ['with a trailing newline', (t: string) => `${t}\n`],
    [
      'with fields reordered',
      (t: string) => JSON.stringify({ keys: JSON.parse(t).keys, format: PUBKEYS_FORMAT_V1, key: KEY_NAME }),
    ],
    ['with an escaped character', (t: string) => t.replace('"ed25519"', '"\\u0065d25519"')],
    ['with a duplicated field', (t: string) => t.replace('{"format":', '{"format":"x","format":')],
  ])('GIVEN a valid set %s WHEN parsed THEN it is refused as not canonical', (_, change) => {
    const canonical = renderVerifierSet(signer.set([1, 'active']));
    expect(outcome(() => parseVerifierSet(change(canonical)))).toBe(Code.NOT_CANONICAL);
  });

  test('GIVEN an error WHEN thrown THEN the message names the field, the rule and the received value', () => {
    const s = base();
    s.keys[1].alg = 'hmac-sha256';
    expect(() => parseVerifierSet(text(s))).toThrow(
      '[NT002] value.keys[1].alg: must be "ed25519" (the only algorithm of v1). Received: "hmac-sha256". Fix: render the value again with the library (BootstrapBundle, TaskSigningKey, BundleSigningKey) instead of editing it by hand',
    );
  });
});

describe('property: render and parse', () => {
  const pool = [1, 2, 3, 4, 5, 6].map((v) => ({ b64: signer.publicKeyB64(v) }));
  const keyName = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}[a-z0-9]$/);
  const date = fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const setArb: fc.Arbitrary<VerifierSetV1> = fc
    .record({
      keyName,
      versions: fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 8 }),
      withNext: fc.boolean(),
      dates: fc.array(date, { minLength: 8, maxLength: 8 }),
      keys: fc.array(fc.constantFrom(...pool), { minLength: 8, maxLength: 8 }),
    })
    .map(({ keyName, versions, withNext, dates, keys }) => {
      const sorted = [...versions].sort((a, b) => a - b);
      const next = withNext && sorted.length > 1;
      const activeIndex = next ? sorted.length - 2 : sorted.length - 1;
      return {
        format: PUBKEYS_FORMAT_V1,
        key: keyName,
        keys: sorted.map((version, i) => {
          const public_key = keys[i].b64;
          const common = { alg: 'ed25519' as const, kid: computeKid(keyName, version, public_key), public_key };
          if (i < activeIndex) return { ...common, state: 'grace' as const, until: dates[i].toISOString(), version };
          return { ...common, state: i === activeIndex ? ('active' as const) : ('next' as const), version };
        }),
      };
    });

  test('GIVEN any valid set WHEN rendered and parsed THEN it round-trips exactly and renders to the same text again', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const rendered = renderVerifierSet(set);
        const parsed = parseVerifierSet(rendered);
        expect(parsed).toEqual(set);
        expect(renderVerifierSet(parsed)).toBe(rendered);
      }),
      { numRuns: 300 },
    );
  });

  test('GIVEN any valid set with one character changed WHEN parsed THEN it is refused with a NodeTrustError or is another canonical set', () => {
    fc.assert(
      fc.property(setArb, fc.nat(), fc.integer({ min: 32, max: 126 }), (set, at, code) => {
        const rendered = renderVerifierSet(set);
        const i = at % rendered.length;
        const mutated = rendered.slice(0, i) + String.fromCharCode(code) + rendered.slice(i + 1);
        try {
          expect(renderVerifierSet(parseVerifierSet(mutated))).toBe(mutated);
        } catch (e) {
          if (!(e instanceof NodeTrustError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
