import { findSecretMaterial } from '../../../lib/node';
import { SecretFindingRule, scanForSecrets } from '../../../lib/secrets';

// Built at run time so the repository itself holds no token-shaped literal.
const token = (prefix: string, length: number) => `${prefix}${'aB3'.repeat(20).slice(0, length)}`;

/** Both scanners read the same patterns: what one reports as a token, the other does too. */
describe('one token and private key grammar for rendered artifacts and synthesized configuration', () => {
  const cases: Array<[string, string, boolean]> = [
    ['hvs. + 20', token('hvs.', 20), true],
    ['hvb. + 90', token('hvb.', 60), true],
    ['hvr. + 19', token('hvr.', 19), false],
    ['legacy s. + 24', token('s.', 24), true],
    ['legacy b. + 24', token('b.', 24), true],
    ['legacy r. + 30', token('r.', 30), true],
    ['legacy s. + 23', token('s.', 23), false],
    ['a reference attribute', `vault_mount.${token('s.', 30)}`, false],
    ['a literal inside an interpolation', `\${${token('s.', 30)}}`, true],
    ['preceded by a word', `xs.${'a'.repeat(30)}`, false],
    ['after a space', `token ${token('hvs.', 24)} here`, true],
  ];

  test.each(cases)('%s', (_name, text, isToken) => {
    const node = findSecretMaterial(text);
    const config = scanForSecrets(JSON.stringify({ value: text })).filter(
      (f) => f.rule === SecretFindingRule.VAULT_TOKEN,
    );
    expect([node !== undefined, config.length > 0]).toEqual([isToken, isToken]);
    if (isToken) expect(node).toContain('a Vault token');
  });

  test.each([
    ['-----BEGIN PRIVATE KEY-----', true],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', true],
    ['-----BEGIN ENCRYPTED PRIVATE KEY-----', true],
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----', true],
    ['-----BEGIN CERTIFICATE-----', false],
    ['-----BEGIN PUBLIC KEY-----', false],
  ])('%s', (header, isKey) => {
    const node = findSecretMaterial(header);
    const config = scanForSecrets(JSON.stringify({ value: header }));
    expect([node !== undefined, config.some((f) => f.rule === SecretFindingRule.PEM_PRIVATE_KEY)]).toEqual([
      isKey,
      isKey,
    ]);
  });
});
