import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fc from 'fast-check';
import { NodeTrustError, pinMatchesAny, spkiPin } from '../../../lib/node';
import { makeCertificate } from './helpers/x509';

const a = makeCertificate({ commonName: 'root A' });
const b = makeCertificate({ commonName: 'root B', keyType: 'ed25519' });
const c = makeCertificate({ commonName: 'intermediate C', issuer: a });
const outsider = makeCertificate({ commonName: 'outsider' });

/** Pin computed from the key pair that built the certificate (independent of certificate parsing). */
const expectedPin = (cert: typeof a) =>
  `sha256:${createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('spkiPin', () => {
  test('GIVEN certificates with EC and Ed25519 keys WHEN pinned THEN the pin is sha256 of their SubjectPublicKeyInfo DER', () => {
    for (const cert of [a, b, c]) {
      expect(spkiPin(cert.pem)).toBe(expectedPin(cert));
      expect(spkiPin(cert.pem)).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  (opensslAvailable() ? test : test.skip)(
    'GIVEN the openssl CLI WHEN it computes the kubeadm-style hash THEN it matches',
    () => {
      const spki = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: a.pem });
      const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spki });
      expect(spkiPin(a.pem)).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`);
    },
  );

  test('GIVEN a root re-issued with the same key WHEN pinned THEN the pin is unchanged; a new key changes it', () => {
    const reissued = makeCertificate({
      commonName: 'root A (re-issued)',
      keyPair: { publicKey: a.publicKey, privateKey: a.privateKey },
    });
    expect(reissued.pem).not.toBe(a.pem);
    expect(spkiPin(reissued.pem)).toBe(spkiPin(a.pem));
    expect(spkiPin(outsider.pem)).not.toBe(spkiPin(a.pem));
  });

  test('GIVEN Windows line endings or surrounding whitespace WHEN pinned THEN the pin is the same', () => {
    expect(spkiPin(`\n  ${a.pem.replace(/\n/g, '\r\n')}  \n`)).toBe(spkiPin(a.pem));
  });

  test.each([
    ['two certificates', () => a.pem + b.pem],
    [
      'a private key',
      () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ],
    ['text before the block', () => `root A\n${a.pem}`],
    ['an empty string', () => ''],
    ['a body that is not a certificate', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    [
      'bytes after the certificate DER',
      () =>
        `-----BEGIN CERTIFICATE-----\n${Buffer.concat([a.der, Buffer.from([0])])
          .toString('base64')
          .match(/.{1,64}/g)!
          .join('\n')}\n-----END CERTIFICATE-----\n`,
    ],
  ])('GIVEN %s WHEN pinned THEN a NodeTrustError is thrown', (_, pem) => {
    expect(() => spkiPin(pem())).toThrow(NodeTrustError);
  });
});

describe('pinMatchesAny', () => {
  const pins = [spkiPin(a.pem), spkiPin(b.pem)];

  test('GIVEN every order of a three-certificate bundle and every order of the pins WHEN matched THEN the answer does not change', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([a.pem, c.pem, outsider.pem], { minLength: 3, maxLength: 3 }),
        fc.shuffledSubarray(pins, { minLength: 1, maxLength: 2 }),
        (certs, wanted) => {
          expect(pinMatchesAny(certs.join(''), wanted)).toBe(wanted.includes(spkiPin(a.pem)));
        },
      ),
    );
  });

  test('GIVEN a bundle holding the pinned key only at the end WHEN matched THEN it matches', () => {
    expect(pinMatchesAny([outsider.pem, c.pem, b.pem].join('\n'), [spkiPin(b.pem)])).toBe(true);
  });

  test('GIVEN a bundle without any pinned key WHEN matched THEN it does not match', () => {
    expect(pinMatchesAny([outsider.pem, c.pem].join(''), pins)).toBe(false);
    expect(pinMatchesAny('', pins)).toBe(false);
    expect(pinMatchesAny(a.pem, [])).toBe(false);
  });

  test('GIVEN broken blocks next to a matching certificate WHEN matched THEN broken blocks match nothing and the good one matches', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(pinMatchesAny(broken + a.pem, pins)).toBe(true);
    expect(pinMatchesAny(broken, pins)).toBe(false);
  });

  test('GIVEN upper-case hex in a pin WHEN matched THEN it matches', () => {
    expect(pinMatchesAny(a.pem, [`sha256:${spkiPin(a.pem).slice(7).toUpperCase()}`])).toBe(true);
  });

  test.each(['sha1:abcd', 'sha256:xyz', spkiPin(a.pem).slice(7), 42])(
    'GIVEN a malformed pin %p WHEN matched THEN it is a programming error',
    (pin) => {
      expect(() => pinMatchesAny(a.pem, [pin as string])).toThrow(TypeError);
    },
  );
});
