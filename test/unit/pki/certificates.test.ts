import { Token } from 'cdktf';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { checkRootCertificate, containsPrivateKey, spkiPin, splitPemCertificates } from '../../../lib/pki/certificates';
import { NodeTrustError } from '../../../lib/node';
import { spkiPin as nodeSpkiPin } from '../../../lib/node/spki-pin';
import { PkiKeyType } from '../../../lib/pki/key-type';
import { validateDnsName } from '../../../lib/pki/private/names';
import { AS_OF_BEFORE, AS_OF_EXPIRED, AS_OF_VALID, INTERMEDIATE, LEAF, PINS, ROOT_A, ROOT_B } from './fixtures';

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

// Assembled at run time so that no private key marker sits in the repository as one string.
const PRIVATE_KEY_PEM = ['-----BEGIN', 'EC PRIVATE KEY-----\nMHcCAQEEI\n-----END', 'EC PRIVATE KEY-----\n'].join(' ');

describe('spkiPin', () => {
  test('matches the pins openssl computes over the DER SubjectPublicKeyInfo', () => {
    expect(spkiPin(ROOT_A)).toBe(PINS.rootA);
    expect(spkiPin(ROOT_B)).toBe(PINS.rootB);
    expect(spkiPin(INTERMEDIATE)).toBe(PINS.intermediate);
    expect(spkiPin(LEAF)).toBe(PINS.leaf);
  });
});

describe('checkRootCertificate', () => {
  test('GIVEN a self-signed CA valid at asOf THEN it returns its facts and pin', () => {
    const facts = checkRootCertificate('root', ROOT_A, AS_OF_VALID);
    expect(facts.pin).toBe(PINS.rootA);
    expect(facts.subject).toBe('CN=fixture control-plane root A');
    expect(facts.notBefore).toBe('2026-11-25T19:15:19Z');
    expect(facts.notAfter).toBe('2036-11-22T19:15:19Z');
    expect(facts.pem).toBe(ROOT_A.trim());
  });

  test('GIVEN an intermediate THEN it is refused as not self-signed', () => {
    const e = errorOf(() => checkRootCertificate('root', INTERMEDIATE, AS_OF_VALID));
    expect(e.code).toBe(ErrorCode.INVALID_CERTIFICATE);
    expect(e.message).toContain('it is not self-signed (an intermediate or a cross-signed certificate)');
    expect(e.message).toContain('Received: "CN=fixture intermediate"');
  });

  test('GIVEN a leaf THEN it is refused as not a CA', () => {
    expect(() => checkRootCertificate('root', LEAF, AS_OF_VALID)).toThrow('it is not a CA certificate');
  });

  test('GIVEN two certificates in one PEM THEN it asks for one root per entry', () => {
    expect(() => checkRootCertificate('root', ROOT_A + ROOT_B, AS_OF_VALID)).toThrow('give one root per entry');
  });

  test('GIVEN a private key THEN it is refused as a secret and the key never reaches the message', () => {
    const e = errorOf(() => checkRootCertificate('root', ROOT_A + PRIVATE_KEY_PEM, AS_OF_VALID));
    expect(e.code).toBe(ErrorCode.SECRET_IN_CONFIG);
    expect(e.message).not.toContain('MHcCAQEEI');
    expect(containsPrivateKey(PRIVATE_KEY_PEM)).toBe(true);
  });

  test('GIVEN text without a certificate THEN it is refused', () => {
    expect(() => splitPemCertificates('root', 'hello')).toThrow('it holds no "-----BEGIN CERTIFICATE-----" block');
  });

  test('GIVEN a corrupt certificate block THEN node:crypto parse errors are reported', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => checkRootCertificate('root', broken)).toThrow('node:crypto cannot parse it');
  });

  test.each([
    ['after expiry', AS_OF_EXPIRED],
    ['before issue', AS_OF_BEFORE],
  ])('GIVEN asOf %s THEN it fails as not valid at asOf', (_what, asOf) => {
    const e = errorOf(() => checkRootCertificate('root', ROOT_A, asOf));
    expect(e.code).toBe(ErrorCode.INVALID_DATE);
    expect(e.message).toContain(
      `not valid at asOf ${asOf} (valid from 2026-11-25T19:15:19Z until 2036-11-22T19:15:19Z)`,
    );
  });

  test('GIVEN no asOf or a token asOf THEN the validity window is not checked', () => {
    expect(checkRootCertificate('root', ROOT_A).pin).toBe(PINS.rootA);
    expect(checkRootCertificate('root', ROOT_A, Token.asString({ Ref: 'x' })).pin).toBe(PINS.rootA);
  });
});

describe('validateDnsName and PkiKeyType', () => {
  test.each(['nodes.dev.internal', 'a.b', 'control-1.platform.internal'])('accepts %p', (n) => {
    expect(validateDnsName('domain', n)).toBe(n);
  });

  test.each([
    ['', 'it is empty'],
    ['internal', 'it has a single label'],
    ['*.nodes.internal', 'it contains a wildcard'],
    ['Nodes.internal', 'upper-case'],
    ['nodes.internal.', 'it ends with a dot'],
    ['-a.internal', 'is not a valid DNS label'],
    ['a..internal', 'is not a valid DNS label'],
  ])('refuses %p (%s)', (n, reason) => {
    const e = errorOf(() => validateDnsName('domain', n));
    expect(e.code).toBe(ErrorCode.INVALID_NAME);
    expect(e.message).toContain(reason);
  });

  test('skips tokens', () => {
    const t = Token.asString({ Ref: 'x' });
    expect(validateDnsName('domain', t)).toBe(t);
  });

  test('key usages follow the key type', () => {
    expect(PkiKeyType.EC_P256.leafKeyUsage).toEqual(['DigitalSignature']);
    expect(PkiKeyType.RSA_2048.leafKeyUsage).toEqual(['DigitalSignature', 'KeyEncipherment']);
    expect(String(PkiKeyType.ED25519)).toBe('ed25519');
    expect(String(PkiKeyType.EC_P384)).toBe('ec-384');
  });
});

describe('pin parity with the node side', () => {
  test('construct-side and node-side pins agree on every fixture', () => {
    for (const pem of [ROOT_A, ROOT_B, INTERMEDIATE, LEAF]) expect(nodeSpkiPin(pem)).toBe(spkiPin(pem));
  });

  test('there is one spkiPin: the constructs entry re-exports the node function', () => {
    expect(spkiPin).toBe(nodeSpkiPin);
  });

  test('GIVEN two certificates in one text THEN spkiPin refuses it (a pin names one key)', () => {
    expect(() => spkiPin(`${ROOT_A}\n${ROOT_B}`)).toThrow(NodeTrustError);
  });

  test('checkRootCertificate pins the root it checked', () => {
    expect(checkRootCertificate('root', ROOT_A).pin).toBe(PINS.rootA);
  });
});
