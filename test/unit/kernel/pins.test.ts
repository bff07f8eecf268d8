import { X509Certificate } from 'node:crypto';
import { SPKI_PIN_RE, normalizePin, pinOfCertificate, spkiPinProblems } from '../../../lib/kernel/pins';
import { spkiPin } from '../../../lib/node';
import { PINS, ROOT_A, ROOT_B } from '../pki/fixtures';

describe('SPKI pins', () => {
  test('the pin of a certificate is the kubeadm hash of its SubjectPublicKeyInfo', () => {
    expect(pinOfCertificate(new X509Certificate(ROOT_A))).toBe(PINS.rootA);
    expect(pinOfCertificate(new X509Certificate(ROOT_B))).toBe(PINS.rootB);
    expect(PINS.rootA).toMatch(SPKI_PIN_RE);
  });

  test('spkiPin (the one public function) computes the same pin', () => {
    expect(spkiPin(ROOT_A)).toBe(pinOfCertificate(new X509Certificate(ROOT_A)));
  });

  test('pins are checked and compared case-insensitively', () => {
    expect(spkiPinProblems(PINS.rootA.toUpperCase().replace('SHA256', 'sha256'), 'pin')).toEqual([]);
    expect(normalizePin(PINS.rootA.toUpperCase().replace('SHA256', 'sha256'))).toBe(PINS.rootA);
    for (const bad of ['sha1:ab', PINS.rootA.slice(7), `${PINS.rootA}0`, 7]) {
      expect(spkiPinProblems(bad, 'pin')).toEqual([expect.objectContaining({ code: 'spki-pin', path: 'pin' })]);
    }
  });
});
