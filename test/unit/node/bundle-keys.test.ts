import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_KEY_PIN_PREFIX,
  BundleKeySetV1,
  NodeTrustError,
  NodeTrustErrorCode as Code,
  PUBKEYS_FORMAT_V1,
  VerifierSetV1,
  bundleKeyPin,
  computeKid,
  jsonencodeCanonical,
  parseBundleKeySet,
  parseVerifierSet,
  renderBundleKeySet,
  renderVerifierSet,
  validateBundleKeySet,
  validateVerifierSet,
} from '../../../lib/node';
import { BUNDLE_KEY_NAME, TestSigner } from './helpers/signer';

const bundleSigner = new TestSigner(BUNDLE_KEY_NAME);
const taskSigner = new TestSigner();
const UNTIL = '2026-03-01T00:00:00Z';

/** The error code thrown by fn, or 'ok'. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof NodeTrustError) return e.code;
    throw e;
  }
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('bundle key set (format cdktf-platform-trust/bundle-keys/v1)', () => {
  const set = bundleSigner.bundleKeySet([1, 'grace', UNTIL], [2, 'active'], [3, 'next']);

  test('GIVEN a bundle key set WHEN rendered and parsed THEN it round-trips, deeply frozen, with keys sorted', () => {
    const text = renderBundleKeySet(set);
    expect(
      text.startsWith(`{"format":"${BUNDLE_KEYS_FORMAT_V1}","key":"${BUNDLE_KEY_NAME}","keys":[{"alg":"ed25519",`),
    ).toBe(true);
    const parsed = parseBundleKeySet(text);
    expect(parsed).toEqual(set);
    expect(Object.isFrozen(parsed.keys[0])).toBe(true);
    expect(validateBundleKeySet(JSON.parse(text))).toEqual(set);
  });

  test('GIVEN the same entries WHEN rendered as either kind THEN only the format id differs', () => {
    const asTask: VerifierSetV1 = { ...set, format: PUBKEYS_FORMAT_V1 };
    expect(renderVerifierSet(asTask).replace(PUBKEYS_FORMAT_V1, BUNDLE_KEYS_FORMAT_V1)).toBe(renderBundleKeySet(set));
  });

  test.each<[string, (s: any) => unknown, Code]>([
    ['no active entry', (s) => ((s.keys[1].state = 'next'), s), Code.INVALID_VERSIONS],
    ['a grace entry without until', (s) => (delete s.keys[0].until, s), Code.INVALID_DATE],
    ['a wrong kid', (s) => ((s.keys[1].kid = `${BUNDLE_KEY_NAME}:v2:0000000000000000`), s), Code.KID_MISMATCH],
    ['an HMAC entry', (s) => ((s.keys[1].alg = 'hmac-sha256'), s), Code.INVALID_FIELD],
    ['another format id', (s) => ((s.format = 'cdktf-platform-trust/bundle-keys/v2'), s), Code.INVALID_FIELD],
    ['an unknown field', (s) => ((s.comment = 'x'), s), Code.INVALID_FIELD],
    [
      'a small-order key',
      (s) => {
        s.keys[1].public_key = Buffer.alloc(32).toString('base64');
        s.keys[1].kid = computeKid(BUNDLE_KEY_NAME, 2, s.keys[1].public_key);
        return s;
      },
      Code.INVALID_PUBLIC_KEY,
    ],
  ])('GIVEN a bundle key set with %s WHEN validated THEN the task set rule refuses it too', (_, edit, code) => {
    expect(codeOf(() => validateBundleKeySet(edit(JSON.parse(JSON.stringify(set)))))).toBe(code);
  });

  test('GIVEN non-canonical text WHEN parsed THEN it is refused and the fix names renderBundleKeySet', () => {
    const spaced = JSON.stringify(set, null, 1);
    expect(codeOf(() => parseBundleKeySet(spaced))).toBe(Code.NOT_CANONICAL);
    expect(messageOf(() => parseBundleKeySet(spaced))).toContain('renderBundleKeySet');
  });
});

describe('a key set of one kind where the other is expected', () => {
  const taskSet = taskSigner.set([1, 'active']);
  const bundleSet = bundleSigner.bundleKeySet([1, 'active']);

  test('GIVEN a task verifier set WHEN read as bundle keys (text or object) THEN it is refused as WRONG_KEY_KIND', () => {
    for (const fn of [
      () => parseBundleKeySet(renderVerifierSet(taskSet)),
      () => validateBundleKeySet(taskSet),
      () => renderBundleKeySet(taskSet as unknown as BundleKeySetV1),
    ]) {
      expect(codeOf(fn)).toBe(Code.WRONG_KEY_KIND);
    }
    expect(messageOf(() => validateBundleKeySet(taskSet))).toMatch(/a task verifier set, where a bundle key set/);
  });

  test('GIVEN a bundle key set WHEN read as task verifiers THEN it is refused as WRONG_KEY_KIND, even once cached as bundle keys', () => {
    const text = renderBundleKeySet(bundleSet);
    const parsed = parseBundleKeySet(text);
    expect(codeOf(() => parseVerifierSet(text))).toBe(Code.WRONG_KEY_KIND);
    expect(codeOf(() => validateVerifierSet(parsed))).toBe(Code.WRONG_KEY_KIND);
    expect(codeOf(() => renderVerifierSet(parsed as unknown as VerifierSetV1))).toBe(Code.WRONG_KEY_KIND);
    expect(messageOf(() => parseVerifierSet(text))).toMatch(/a bundle key set, where a task verifier set/);
  });
});

describe('bundleKeyPin', () => {
  test('GIVEN a public key text WHEN pinned THEN it is sha256: and the hex of SHA-256 over the text, and the kid carries its first 16 digits', () => {
    const b64 = bundleSigner.publicKeyB64(1);
    const hex = createHash('sha256').update(b64, 'utf8').digest('hex');
    expect(bundleKeyPin(b64)).toBe(`${BUNDLE_KEY_PIN_PREFIX}${hex}`);
    expect(bundleSigner.kid(1).endsWith(`:${bundleKeyPin(b64).slice(7, 23)}`)).toBe(true);
  });

  test('GIVEN something that is not canonical base64 of 32 bytes WHEN pinned THEN it is refused', () => {
    expect(codeOf(() => bundleKeyPin('abc'))).toBe(Code.INVALID_PUBLIC_KEY);
    expect(codeOf(() => bundleKeyPin(Buffer.alloc(31).toString('base64')))).toBe(Code.INVALID_PUBLIC_KEY);
    expect(codeOf(() => bundleKeyPin(42 as never))).toBe(Code.INVALID_PUBLIC_KEY);
  });
});

describe('jsonencodeCanonical', () => {
  test('GIVEN nested objects WHEN encoded THEN keys are sorted at every level and the text is compact', () => {
    expect(jsonencodeCanonical({ b: [{ z: 1, a: null }], a: 'x', c: { y: true, x: false } })).toBe(
      '{"a":"x","b":[{"a":null,"z":1}],"c":{"x":false,"y":true}}',
    );
  });

  test('GIVEN the characters Terraform escapes WHEN encoded THEN they are escaped as jsonencode does', () => {
    expect(jsonencodeCanonical({ url: 'https://a/?x=<1>&y=\u2028\u2029', nl: 'a\nb' })).toBe(
      '{"nl":"a\\nb","url":"https://a/?x=\\u003c1\\u003e\\u0026y=\\u2028\\u2029"}',
    );
  });

  test('GIVEN integer-like and non-ASCII keys WHEN encoded THEN they sort by UTF-8 bytes, not by JS property order', () => {
    expect(jsonencodeCanonical({ 9: 1, 10: 2, '\uffff': 3, '\u{1f600}': 4, b: 5 })).toBe(
      '{"10":2,"9":1,"b":5,"\uffff":3,"\u{1f600}":4}',
    );
  });

  test('GIVEN values JSON cannot carry WHEN encoded THEN it throws', () => {
    expect(() => jsonencodeCanonical(NaN)).toThrow(TypeError);
    expect(() => jsonencodeCanonical({ a: 1n })).toThrow(TypeError);
  });

  test('GIVEN any JSON value WHEN encoded THEN it parses back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(jsonencodeCanonical(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
