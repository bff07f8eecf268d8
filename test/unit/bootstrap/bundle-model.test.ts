import { Token } from 'cdktf';
import * as fc from 'fast-check';
import {
  buildBundle,
  buildBundleV2,
  buildEnvelopeV2,
  bundleInputsDigest,
  checkBundleLiteral,
  checkSeparateSigningKeys,
  dssePae,
  dssePaeParts,
  findSecretLike,
  resolveBundlePaths,
  validateSequence,
} from '../../../lib/bootstrap/bundle-model';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { BUNDLE_PAYLOAD_TYPE_V2, BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2, DEFAULT_PATHS } from '../../../lib/node/formats';
import { INTERMEDIATE, ROOT_A, ROOT_B } from '../pki/fixtures';
import { BUNDLE_KEY_SET, VERIFIER_SET, sampleInput, sampleInputV2 } from './samples';

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

const token = () => Token.asString({ Ref: 'x' });

describe('buildBundle', () => {
  test('GIVEN valid inputs THEN it renders format v1 with the default paths and the three env values', () => {
    const b = buildBundle(sampleInput());
    expect(b).toEqual({
      schema: BUNDLE_SCHEMA_V1,
      environment: 'dev',
      sequence: 1,
      control_plane: { url: 'https://control.dev.platform.internal' },
      public_https_trust: {
        path: DEFAULT_PATHS.publicHttpsBundle,
        roots: [
          { pem: ROOT_A.trim(), state: 'current' },
          { pem: ROOT_B.trim(), state: 'next' },
        ],
      },
      node_cert_trust: { path: DEFAULT_PATHS.nodeCertBundle, pems: [INTERMEDIATE.trim()] },
      task_verifiers: { path: DEFAULT_PATHS.taskVerifiers, set: VERIFIER_SET },
      env: {
        GPUAAS_CA_BUNDLE_PATH: DEFAULT_PATHS.publicHttpsBundle,
        GPUAAS_NODE_CERT_CA_BUNDLE_PATH: DEFAULT_PATHS.nodeCertBundle,
        GPUAAS_TASK_SIGNING_PUBKEYS: JSON.stringify(VERIFIER_SET),
      },
    });
  });

  test('its compact JSON is ASCII, so characters equal bytes for the DSSE lengths', () => {
    const json = JSON.stringify(buildBundle(sampleInput()));
    expect(Buffer.byteLength(json)).toBe(json.length);
  });

  test('GIVEN token PEMs and a token verifier set THEN they pass through unchecked', () => {
    const t = token();
    const b = buildBundle(
      sampleInput({ publicHttpsRoots: [{ pem: t, state: 'current' }], nodeCertPems: [token()], pubkeysJson: token() }),
    );
    expect(b.public_https_trust.roots[0].pem).toBe(t);
  });

  test('GIVEN no root, two current roots, or a previous root without until THEN it fails', () => {
    expect(() => buildBundle(sampleInput({ publicHttpsRoots: [] }))).toThrow('The bundle has no public HTTPS root');
    expect(() =>
      buildBundle(
        sampleInput({
          publicHttpsRoots: [
            { pem: ROOT_A, state: 'current' },
            { pem: ROOT_B, state: 'current' },
          ],
        }),
      ),
    ).toThrow('need exactly one "current" root; found 2');
    expect(() =>
      buildBundle(
        sampleInput({
          publicHttpsRoots: [
            { pem: ROOT_A, state: 'current' },
            { pem: ROOT_B, state: 'previous' },
          ],
        }),
      ),
    ).toThrow('has no "until": nodes would trust it forever');
    expect(
      errorOf(() =>
        buildBundle(
          sampleInput({
            publicHttpsRoots: [
              { pem: ROOT_A, state: 'current' },
              { pem: ROOT_B, state: 'previous', until: 'soon' },
            ],
          }),
        ),
      ).code,
    ).toBe(ErrorCode.INVALID_DATE);
  });

  test('GIVEN no node-cert PEM THEN it fails', () => {
    expect(() => buildBundle(sampleInput({ nodeCertPems: [] }))).toThrow('The bundle has no node-cert CA certificate.');
  });
});

describe('invariant 5: public HTTPS trust and node-cert trust stay apart', () => {
  test('GIVEN the same path for two files THEN it fails with the same-path error', () => {
    const e = errorOf(() => buildBundle(sampleInput({ paths: { nodeCertBundle: DEFAULT_PATHS.publicHttpsBundle } })));
    expect(e.code).toBe(ErrorCode.SAME_BUNDLE_PATH);
    expect(e.message).toBe(
      `[PT016] The public HTTPS trust bundle, the node-cert CA bundle and the task verifier set must be written to three different files. Received: {"publicHttpsBundle":"${DEFAULT_PATHS.publicHttpsBundle}","nodeCertBundle":"${DEFAULT_PATHS.publicHttpsBundle}"}. Fix: give GPUAAS_CA_BUNDLE_PATH, GPUAAS_NODE_CERT_CA_BUNDLE_PATH and the verifier file three distinct paths (the defaults already differ).`,
    );
  });

  test('GIVEN three distinct paths THEN they are used', () => {
    const paths = { publicHttpsBundle: '/a/cp.pem', nodeCertBundle: '/a/nodes.pem', taskVerifiers: '/a/keys.json' };
    expect(resolveBundlePaths(paths)).toEqual(paths);
  });

  test('GIVEN the same token for two paths THEN the check is skipped (values unknown at synth)', () => {
    const t = token();
    expect(resolveBundlePaths({ publicHttpsBundle: t, nodeCertBundle: t }).nodeCertBundle).toBe(t);
  });

  test('GIVEN one certificate in both bundles THEN it fails', () => {
    const e = errorOf(() => buildBundle(sampleInput({ nodeCertPems: [ROOT_A.trim()] })));
    expect(e.code).toBe(ErrorCode.SAME_BUNDLE_PATH);
    expect(e.message).toContain('must come from different sources: the same certificate is in both bundles');
  });

  test.each([
    ['relative', 'etc/x.pem', 'it is not absolute'],
    ['dot-dot', '/etc/../x.pem', 'a "." or ".." segment'],
    ['empty segment', '/etc//x.pem', 'an empty segment'],
    ['trailing slash', '/etc/x/', 'it ends with "/"'],
    ['space', '/etc/x y.pem', 'not printable ASCII'.replace('not printable ASCII', 'whitespace')],
  ])('GIVEN a %s path THEN it fails', (_what, path, reason) => {
    expect(() => resolveBundlePaths({ taskVerifiers: path })).toThrow(reason);
  });
});

describe('sequence', () => {
  test.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses %p', (n) => {
    const e = errorOf(() => validateSequence(n));
    expect(e.code).toBe(ErrorCode.INVALID_SEQUENCE);
    expect(e.message).toContain('Fix: set sequence to the last published sequence plus one');
  });

  test('accepts 1 and skips tokens', () => {
    expect(validateSequence(1)).toBe(1);
    const t = Token.asNumber({ Ref: 'x' });
    expect(validateSequence(t)).toBe(t);
  });
});

describe('literals that are signed must be plain ASCII (Terraform length() counts characters)', () => {
  test.each([
    ['a non-ASCII character', '/etc/trust/café.pem', 'is not printable ASCII'],
    ['a double quote', '/etc/trust/"x".pem', 'a double quote'],
    ['a backslash', '/etc/trust/x\\y.pem', 'a backslash'],
    ['a template sequence', '/etc/trust/${x}.pem', 'a Terraform template sequence'],
    ['a template directive', '/etc/trust/%{x}.pem', 'a Terraform template sequence'],
    ['a tab', '/etc/trust/x\t.pem', 'is not printable ASCII'],
  ])('GIVEN a path with %s THEN it fails', (_what, path, reason) => {
    const e = errorOf(() => resolveBundlePaths({ nodeCertBundle: path }));
    expect(e.code).toBe(ErrorCode.UNSAFE_LITERAL);
    expect(e.message).toContain(reason);
  });

  test('GIVEN a control-plane URL with non-ASCII THEN it fails', () => {
    expect(() => buildBundle(sampleInput({ controlPlaneUrl: 'https://contrôle.example.internal' }))).toThrow(
      'is not printable ASCII',
    );
  });

  test('PEMs may hold line breaks; other literals may not', () => {
    expect(checkBundleLiteral('pem', ROOT_A, true)).toBe(ROOT_A);
    expect(() => checkBundleLiteral('path', '/a\n/b')).toThrow('is not printable ASCII');
  });

  test('tokens are skipped', () => {
    const t = token();
    expect(checkBundleLiteral('path', t)).toBe(t);
  });
});

describe('invariant 6: nothing secret in the bundle', () => {
  test.each([
    ['a Vault token', `https://control.example.internal/${'hvs.' + 'A'.repeat(24)}`],
    // One grammar for tokens (lib/kernel/secret-patterns.ts): a legacy token is described as a Vault token.
    ['a Vault token', `https://control.example.internal/${'s.' + 'b'.repeat(24)}`],
    ['a Vault token', `https://control.example.internal/${'r.' + 'b'.repeat(30)}`],
    ['a Vault client setting (VAULT_*)', 'https://control.example.internal/VAULT_ADDR'],
    ['a Vault API address', 'https://vault.example.internal:8200/v1/'],
    [
      'a UUID (AppRole role_id and secret_id look like this)',
      'https://control.example.internal/0f0e2c3a-1b2c-4d5e-8f90-123456789abc',
    ],
  ])('GIVEN a URL holding %s THEN it fails', (what, url) => {
    const e = errorOf(() => buildBundle(sampleInput({ controlPlaneUrl: url })));
    expect(e.code).toBe(ErrorCode.SECRET_IN_CONFIG);
    expect(e.message).toContain(`it looks like ${what}`);
  });

  test('GIVEN a PEM holding a private key THEN it fails and the key is redacted', () => {
    const key = ['-----BEGIN', 'PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END', 'PRIVATE KEY-----'].join(' ');
    const e = errorOf(() => buildBundle(sampleInput({ nodeCertPems: [`${INTERMEDIATE}${key}`] })));
    expect(e.code).toBe(ErrorCode.SECRET_IN_CONFIG);
    expect(e.message).not.toContain('MC4CAQAwBQYDK2VwBCIEI');
  });

  test('plain values pass', () => {
    expect(findSecretLike('https://control.dev.platform.internal')).toBeUndefined();
    expect(findSecretLike(ROOT_A)).toBeUndefined();
    expect(findSecretLike(token())).toBeUndefined();
  });
});

describe('dssePae', () => {
  test('matches the DSSE v1 reference encoding', () => {
    expect(dssePae('http://example.com/HelloWorld', 'hello world')).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  test('refuses non-ASCII bodies (Terraform would count characters, DSSE counts bytes)', () => {
    expect(() => dssePae('t', 'é')).toThrow('it is not ASCII');
  });

  test('for ASCII, the character count Terraform uses equals the byte count (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' abcXYZ019{}":,[]-+/=\n'.split('')) }), (body) => {
        const pae = dssePae('application/x', body);
        expect(pae.endsWith(` ${body.length} ${body}`)).toBe(true);
        expect(Buffer.byteLength(body)).toBe(body.length);
      }),
    );
  });
});

describe('bundleInputsDigest', () => {
  const facts = {
    environment: 'dev',
    controlPlaneUrl: 'https://control.dev.platform.internal',
    paths: resolveBundlePaths(),
    publicHttpsRoots: [{ pem: ROOT_A, state: 'current' as const }],
    nodeCertPems: [INTERMEDIATE],
    signingKey: { keyName: 'node-task-signer', mountPath: 'dev/transit', activeVersion: 2 },
  };

  test('is a stable SHA-256 of the literal facts', () => {
    expect(bundleInputsDigest(facts)).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleInputsDigest(facts)).toBe(bundleInputsDigest({ ...facts }));
  });

  test('changes with any literal: URL, root state, active version', () => {
    const base = bundleInputsDigest(facts);
    expect(bundleInputsDigest({ ...facts, controlPlaneUrl: 'https://other.internal' })).not.toBe(base);
    expect(
      bundleInputsDigest({
        ...facts,
        publicHttpsRoots: [
          { pem: ROOT_B, state: 'current' },
          { pem: ROOT_A, state: 'previous', until: '2027-01-31T00:00:00Z' },
        ],
      }),
    ).not.toBe(base);
    expect(bundleInputsDigest({ ...facts, signingKey: { ...facts.signingKey, activeVersion: 3 } })).not.toBe(base);
  });

  test('with the key schedules given: a pre-publish, a retirement or the migration flag changes it; without them it is unchanged', () => {
    const base = bundleInputsDigest(facts);
    const active = [{ version: 1, state: 'active' }];
    const withSchedule = bundleInputsDigest({ ...facts, signingKey: { ...facts.signingKey, versions: active } });
    expect(withSchedule).not.toBe(base);
    // Pre-publish v2 at the same active version: a different digest, so the same sequence fails the plan.
    const prePublished = bundleInputsDigest({
      ...facts,
      signingKey: { ...facts.signingKey, versions: [...active, { version: 2, state: 'next' }] },
    });
    expect(prePublished).not.toBe(withSchedule);
    const graceEnds = (until: string) =>
      bundleInputsDigest({
        ...facts,
        signingKey: {
          ...facts.signingKey,
          activeVersion: 2,
          versions: [
            { version: 1, state: 'grace', until },
            { version: 2, state: 'active' },
          ],
        },
      });
    expect(graceEnds('2030-01-01T00:00:00Z')).not.toBe(graceEnds('2031-01-01T00:00:00Z'));
    const key = { keyName: 'bundle-signer', mountPath: 'dev/transit', activeVersion: 1, versions: active };
    const v2 = bundleInputsDigest({ ...facts, bundleKey: key });
    expect(bundleInputsDigest({ ...facts, bundleKey: key, migrateFromV1: true })).not.toBe(v2);
    expect(bundleInputsDigest({ ...facts, bundleKey: key, migrateFromV1: false })).toBe(v2);
    expect(
      bundleInputsDigest({ ...facts, bundleKey: { ...key, versions: [...active, { version: 2, state: 'next' }] } }),
    ).not.toBe(v2);
  });

  test('uses the root name in place of a token PEM, so token numbering does not matter', () => {
    const a = bundleInputsDigest({
      ...facts,
      publicHttpsRoots: [{ pem: token(), state: 'current', name: 'cp-root-2026' }],
    });
    const b = bundleInputsDigest({
      ...facts,
      publicHttpsRoots: [{ pem: token(), state: 'current', name: 'cp-root-2026' }],
    });
    const c = bundleInputsDigest({
      ...facts,
      publicHttpsRoots: [{ pem: token(), state: 'current', name: 'cp-root-2027' }],
    });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe('buildBundleV2', () => {
  test('GIVEN valid inputs THEN it renders format v2: the v1 fields, the v2 schema id and the bundle key set', () => {
    const v1 = buildBundle(sampleInput());
    const v2 = buildBundleV2(sampleInputV2());
    expect(v2).toEqual({
      ...v1,
      schema: BUNDLE_SCHEMA_V2,
      bundle_keys: { set: BUNDLE_KEY_SET },
      freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 },
      revoked: { task_key_versions: [], bundle_key_versions: [], root_pins: [] },
    });
    expect(Object.keys(v2).sort()).toEqual([...Object.keys(v1), 'bundle_keys', 'freshness', 'revoked'].sort());
  });

  test('GIVEN no expiry THEN it fails and says what to set; a bad refresh hint or date is refused (PT037)', () => {
    const none = errorOf(() => buildBundleV2(sampleInputV2({ freshness: undefined as any })));
    expect(none.code).toBe(ErrorCode.MISSING_CONFIG);
    expect(none.message).toContain('carries an expiry');
    expect(none.message).toContain('set freshness.expires to a date in code');
    const hint = errorOf(() =>
      buildBundleV2(sampleInputV2({ freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 0 } })),
    );
    expect(hint.code).toBe(ErrorCode.INVALID_FRESHNESS);
    expect(hint.message).toContain('freshness.refresh_hint_seconds must be a whole number of seconds from 1 to 604800');
    const date = errorOf(() =>
      buildBundleV2(sampleInputV2({ freshness: { expires: '2027-02-30T00:00:00Z', refresh_hint_seconds: 60 } })),
    );
    expect(date.code).toBe(ErrorCode.INVALID_FRESHNESS);
    expect(date.message).toContain('freshness.expires must be ISO 8601 UTC');
  });

  test('GIVEN revocations THEN they are rendered as given; unsorted versions or an upper-case pin are refused (PT038)', () => {
    const pin = `sha256:${'ab'.repeat(32)}`;
    const ok = buildBundleV2(sampleInputV2({ revoked: { task_key_versions: [1, 2], root_pins: [pin] } }));
    expect(ok.revoked).toEqual({ task_key_versions: [1, 2], bundle_key_versions: [], root_pins: [pin] });
    const order = errorOf(() => buildBundleV2(sampleInputV2({ revoked: { task_key_versions: [2, 1] } })));
    expect(order.code).toBe(ErrorCode.INVALID_REVOCATION);
    expect(order.message).toContain('revoked.task_key_versions[1] versions must be ascending and unique');
    const upper = errorOf(() => buildBundleV2(sampleInputV2({ revoked: { root_pins: [pin.toUpperCase()] } })));
    expect(upper.code).toBe(ErrorCode.INVALID_REVOCATION);
  });

  test('the checks of format v1 apply (same path twice, no root)', () => {
    expect(
      errorOf(() => buildBundleV2(sampleInputV2({ paths: { taskVerifiers: DEFAULT_PATHS.nodeCertBundle } }))).code,
    ).toBe(ErrorCode.SAME_BUNDLE_PATH);
    expect(errorOf(() => buildBundleV2(sampleInputV2({ publicHttpsRoots: [] }))).code).toBe(
      ErrorCode.INVALID_TRUST_ROOTS,
    );
  });

  test('GIVEN no bundle key set THEN it fails; a token set passes through', () => {
    const e = errorOf(() => buildBundleV2(sampleInputV2({ bundleKeySet: undefined as any })));
    expect(e.message).toContain('carries the bundle key set');
    const t = token() as any;
    expect(buildBundleV2(sampleInputV2({ bundleKeySet: t })).bundle_keys.set).toBe(t);
  });

  test('its compact JSON is ASCII', () => {
    const json = JSON.stringify(buildBundleV2(sampleInputV2()));
    expect(Buffer.byteLength(json)).toBe(json.length);
  });
});

describe('invariant 10: the bundle key is not the task key', () => {
  const task = { keyName: 'node-task-signer', mountPath: 'dev/transit' };

  test('GIVEN the same mount and name THEN it fails with SAME_SIGNING_KEY and says what to do', () => {
    const e = errorOf(() =>
      checkSeparateSigningKeys(task, { keyName: 'node-task-signer', mountPath: '/dev/transit/' }),
    );
    expect(e.code).toBe(ErrorCode.SAME_SIGNING_KEY);
    expect(e.message).toContain('whoever can sign tasks (the control plane) could then sign bundles');
    expect(e.message).toContain('Received: "dev/transit/keys/node-task-signer"');
  });

  test('GIVEN another name or another mount THEN it passes', () => {
    expect(() => checkSeparateSigningKeys(task, { keyName: 'bundle-signer', mountPath: 'dev/transit' })).not.toThrow();
    expect(() =>
      checkSeparateSigningKeys(task, { keyName: 'node-task-signer', mountPath: 'dev/bundles' }),
    ).not.toThrow();
  });

  test('GIVEN a token THEN the check is skipped', () => {
    expect(() => checkSeparateSigningKeys(task, { keyName: token(), mountPath: 'dev/transit' })).not.toThrow();
    expect(() => checkSeparateSigningKeys({ ...task, mountPath: token() }, task)).not.toThrow();
  });
});

describe('buildEnvelopeV2', () => {
  test('is a DSSE envelope with the v2 payload type and the signatures in order', () => {
    expect(
      buildEnvelopeV2('cGF5bG9hZA==', [
        { keyid: 'bundle-signer:v1:ff73a0647bbc29aa', sig: 'AAAA' },
        { keyid: 'node-task-signer:v2:3d256a879f35186f', sig: 'BBBB' },
      ]),
    ).toEqual({
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      payload: 'cGF5bG9hZA==',
      signatures: [
        { keyid: 'bundle-signer:v1:ff73a0647bbc29aa', sig: 'AAAA' },
        { keyid: 'node-task-signer:v2:3d256a879f35186f', sig: 'BBBB' },
      ],
    });
  });

  test('refuses an envelope without a signature', () => {
    expect(() => buildEnvelopeV2('cGF5bG9hZA==', [])).toThrow('needs at least one signature');
  });
});

describe('dssePaeParts', () => {
  test('joined with the body length written out, it is dssePae (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...' abcXYZ019{}":,[]-+/=\n'.split('')) }), (body) => {
        expect(dssePaeParts(BUNDLE_PAYLOAD_TYPE_V2, body, String(body.length)).join('')).toBe(
          dssePae(BUNDLE_PAYLOAD_TYPE_V2, body),
        );
      }),
    );
  });

  test('refuses a non-ASCII payload type', () => {
    expect(() => dssePaeParts('typé', 'x', '1')).toThrow('it is not ASCII');
  });
});

describe('bundleInputsDigest with a bundle key (format v2)', () => {
  const facts = {
    environment: 'dev',
    controlPlaneUrl: 'https://control.dev.platform.internal',
    paths: resolveBundlePaths(),
    publicHttpsRoots: [{ pem: ROOT_A, state: 'current' as const }],
    nodeCertPems: [INTERMEDIATE],
    signingKey: { keyName: 'node-task-signer', mountPath: 'dev/transit', activeVersion: 2 },
  };
  const bundleKey = { keyName: 'bundle-signer', mountPath: 'dev/transit', activeVersion: 1 };

  test('the bundle key counts: a v2 digest differs from v1, and activating another version changes it', () => {
    const v1 = bundleInputsDigest(facts);
    const v2 = bundleInputsDigest({ ...facts, bundleKey });
    expect(v2).not.toBe(v1);
    expect(bundleInputsDigest({ ...facts, bundleKey: { ...bundleKey, activeVersion: 2 } })).not.toBe(v2);
    expect(bundleInputsDigest({ ...facts, bundleKey: { ...bundleKey, keyName: 'bundle-signer-2' } })).not.toBe(v2);
    expect(bundleInputsDigest({ ...facts, bundleKey: { ...bundleKey } })).toBe(v2);
  });
});
