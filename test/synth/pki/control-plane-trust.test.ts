import { Testing } from 'cdktf';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { ErrorCode, PlatformTrustError, VaultPolicy } from '../../../lib/core';
import { CertificatePemTrust, ControlPlaneTrust, ControlPlaneTrustProps } from '../../../lib/pki/control-plane-trust';
import { RootRotationPhase } from '../../../lib/pki/root-schedule';
import { ControlPlaneTrustSource } from '../../../lib/pki/types';
import { AS_OF_EXPIRED, AS_OF_VALID, INTERMEDIATE, PINS, ROOT_A, ROOT_B } from '../../unit/pki/fixtures';
import { block, blocks, logicalId, newStack, secretFindings, synthJson } from './helpers';

const ROOT_TYPE = 'vault_pki_secret_backend_root_cert';
const OVERLAP = '2027-01-31T00:00:00Z';

/** The dev config as written in code, before any rotation. */
const STEADY: ControlPlaneTrustProps = {
  mountPath: 'dev/pki-control-plane',
  root: { issuerName: 'cp-root-2026' },
  serverNames: ['control.dev.platform.internal'],
};
const rotating = (phase: RootRotationPhase, asOf = '2027-01-10T00:00:00Z'): ControlPlaneTrustProps => ({
  ...STEADY,
  rotation: { next: { issuerName: 'cp-root-2027' }, overlapUntil: OVERLAP, phase },
  asOf,
});

function build(props: ControlPlaneTrustProps) {
  const stack = newStack();
  const trust = new ControlPlaneTrust(stack, 'ControlPlaneTrust', props);
  return { stack, trust, json: synthJson(stack) };
}

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

describe('ControlPlaneTrust (platform CA)', () => {
  test('GIVEN the steady state THEN one internal root is the default issuer and the role issues server certs only', () => {
    const { stack, trust, json } = build(STEADY);
    const roots = blocks(json, ROOT_TYPE);
    expect(Object.keys(roots)).toHaveLength(1);
    const root = block(json, ROOT_TYPE, 'Root-cp-root-2026');
    expect(root).toMatchObject({
      type: 'internal',
      issuer_name: 'cp-root-2026',
      key_name: 'cp-root-2026-key',
      common_name: 'cp-root-2026',
      key_type: 'ec',
      key_bits: 384,
      lifecycle: { prevent_destroy: true },
    });
    const cfg = block(json, 'vault_pki_secret_backend_config_issuers', 'DefaultIssuer');
    expect(cfg.default).toBe(`\${${ROOT_TYPE}.${logicalId(json, ROOT_TYPE, 'Root-cp-root-2026')}.issuer_id}`);
    expect(cfg.default_follows_latest_issuer).toBe(false);
    expect(cfg.lifecycle).toBeUndefined();
    expect(blocks(json, 'vault_pki_secret_backend_issuer', 'data')).toEqual({});

    expect(Testing.synth(stack, true)).toHaveResourceWithProperties(PkiSecretBackendRole, {
      name: 'control-plane-https',
      allowed_domains: ['control.dev.platform.internal'],
      allow_bare_domains: true,
      allow_subdomains: false,
      server_flag: true,
      client_flag: false,
      ttl: '2592000',
      max_ttl: '7776000',
    });
    expect(trust.source).toBe(ControlPlaneTrustSource.PLATFORM_CA);
    expect(trust.pins).toBeUndefined();
    expect(trust.roots.map((r) => r.state)).toEqual(['current']);
    expect(secretFindings(JSON.stringify(json))).toEqual([]);
  });

  test('GIVEN PUBLISH_NEXT THEN the next root is added, the current root keeps its address, and the default does not move', () => {
    const steady = build(STEADY).json;
    const { json, trust } = build(rotating(RootRotationPhase.PUBLISH_NEXT));
    expect(logicalId(json, ROOT_TYPE, 'Root-cp-root-2026')).toBe(logicalId(steady, ROOT_TYPE, 'Root-cp-root-2026'));
    expect(block(json, ROOT_TYPE, 'Root-cp-root-2026')).toEqual(block(steady, ROOT_TYPE, 'Root-cp-root-2026'));
    expect(block(json, ROOT_TYPE, 'Root-cp-root-2027')).toMatchObject({
      issuer_name: 'cp-root-2027',
      type: 'internal',
    });
    expect(block(json, 'vault_pki_secret_backend_config_issuers', 'DefaultIssuer').default).toContain(
      'Root-cp-root-2026',
    );
    expect(trust.roots.map((r) => [r.state, r.until])).toEqual([
      ['current', undefined],
      ['next', undefined],
    ]);
  });

  test('GIVEN SWITCH THEN the default moves to the next root, guarded by a plan-time read of the published issuer', () => {
    const { json, trust } = build(rotating(RootRotationPhase.SWITCH));
    const cfg = block(json, 'vault_pki_secret_backend_config_issuers', 'DefaultIssuer');
    expect(cfg.default).toContain('Root-cp-root-2027');
    const guard = block(json, 'vault_pki_secret_backend_issuer', 'NextIssuerPublished', 'data');
    expect(guard).toEqual({ backend: 'dev/pki-control-plane', issuer_ref: 'cp-root-2027' });
    expect(cfg.lifecycle.precondition[0].condition).toMatch(
      /^\$\{\(data\.vault_pki_secret_backend_issuer\..*NextIssuerPublished.*\.issuer_id == vault_pki_secret_backend_root_cert\..*Root-cp-root-2027.*\.issuer_id\)\}$/,
    );
    expect(trust.roots.map((r) => [r.state, r.until])).toEqual([
      ['current', undefined],
      ['previous', OVERLAP],
    ]);
    expect(Object.keys(blocks(json, ROOT_TYPE))).toHaveLength(2);
  });

  test('GIVEN DROP_PREVIOUS after the overlap THEN the old root leaves the bundle but stays in Vault', () => {
    const { json, trust } = build(rotating(RootRotationPhase.DROP_PREVIOUS, '2027-02-01T00:00:00Z'));
    expect(Object.keys(blocks(json, ROOT_TYPE))).toHaveLength(2);
    expect(trust.roots).toHaveLength(1);
    expect(trust.schedule.defaultRoot).toBe('cp-root-2027');
  });

  test('GIVEN the rotation folded back (next as root, old retired) THEN addresses and resources are unchanged', () => {
    const dropped = build(rotating(RootRotationPhase.DROP_PREVIOUS, '2027-02-01T00:00:00Z')).json;
    const folded = build({
      ...STEADY,
      root: { issuerName: 'cp-root-2027' },
      retiredRoots: [{ issuerName: 'cp-root-2026' }],
    }).json;
    expect(blocks(folded, ROOT_TYPE)).toEqual(blocks(dropped, ROOT_TYPE));
  });

  test('GIVEN DROP_PREVIOUS before the overlap ends THEN synth fails', () => {
    expect(() => build(rotating(RootRotationPhase.DROP_PREVIOUS, '2027-01-30T00:00:00Z'))).toThrow(
      'keep phase SWITCH until the overlap ends',
    );
  });

  test('grantIssueServerCert grants issue and sign on the server role only', () => {
    const stack = newStack();
    const trust = new ControlPlaneTrust(stack, 'ControlPlaneTrust', STEADY);
    const policy = new VaultPolicy(stack, 'Cp', { name: 'dev-control-plane' });
    expect(trust.grantIssueServerCert(policy).paths).toEqual([
      'dev/pki-control-plane/issue/control-plane-https',
      'dev/pki-control-plane/sign/control-plane-https',
    ]);
  });

  test.each<[string, Partial<ControlPlaneTrustProps>, string]>([
    ['no server names', { serverNames: [] }, 'list at least one name in serverNames'],
    ['a wildcard server name', { serverNames: ['*.platform.internal'] }, 'it contains a wildcard'],
    ['a repeated server name', { serverNames: ['a.internal', 'a.internal'] }, 'Duplicate control-plane server name'],
    [
      'a retired root with the current name',
      { retiredRoots: [{ issuerName: 'cp-root-2026' }] },
      'Duplicate root issuer name',
    ],
    ['a server TTL above its maximum', { serverCertTtlSeconds: 8_000_000 }, 'give at most 7776000 seconds'],
  ])('GIVEN %s THEN it fails', (_what, props, text) => {
    expect(() => build({ ...STEADY, ...props })).toThrow(text);
  });
});

describe('ControlPlaneTrust.fromCertificatePem (existing CA)', () => {
  test('GIVEN a valid root THEN it publishes it with its pin and creates no Vault resource', () => {
    const stack = newStack();
    const trust = ControlPlaneTrust.fromCertificatePem(stack, 'Corp', {
      current: { name: 'corp-root-a', pem: ROOT_A },
      asOf: AS_OF_VALID,
    });
    expect(trust.source).toBe(ControlPlaneTrustSource.CERTIFICATE_PEM);
    expect(trust.pins).toEqual([PINS.rootA]);
    expect(trust.roots).toEqual([{ pem: ROOT_A.trim(), state: 'current' }]);
    expect(trust.mountPath).toBeUndefined();
    expect(synthJson(stack).resource).toBeUndefined();
  });

  test('GIVEN a CA given as PEM WHEN the control plane is granted its server certificate THEN the grant adds no Vault path (the CA operator issues it)', () => {
    const stack = newStack();
    const trust = ControlPlaneTrust.fromCertificatePem(stack, 'Corp', {
      current: { name: 'corp-root-a', pem: ROOT_A },
      asOf: AS_OF_VALID,
    });
    const policy = new VaultPolicy(stack, 'Cp', { name: 'dev-control-plane' });
    expect(trust.grantIssueServerCert(policy).paths).toEqual([]);
    expect(policy.policyDocument.isEmpty).toBe(true);
    expect(() => trust.grantIssueServerCert(undefined as never)).toThrow(PlatformTrustError);
  });

  test('GIVEN a rotation THEN pins follow the bundle order and the previous root carries the overlap end', () => {
    const trust = ControlPlaneTrust.fromCertificatePem(newStack(), 'Corp', {
      current: { name: 'corp-root-a', pem: ROOT_A },
      rotation: { next: { name: 'corp-root-b', pem: ROOT_B }, overlapUntil: OVERLAP, phase: RootRotationPhase.SWITCH },
      asOf: AS_OF_VALID,
    }) as CertificatePemTrust;
    expect(trust.pins).toEqual([PINS.rootB, PINS.rootA]);
    expect(trust.roots.map((r) => [r.state, r.until])).toEqual([
      ['current', undefined],
      ['previous', OVERLAP],
    ]);
    expect(trust.caBundlePem).toBe(`${ROOT_B.trim()}\n${ROOT_A.trim()}`);
  });

  test.each<[string, () => unknown, ErrorCode, string]>([
    [
      'an intermediate',
      () => ({ current: { name: 'x', pem: INTERMEDIATE }, asOf: AS_OF_VALID }),
      ErrorCode.INVALID_CERTIFICATE,
      'it is not self-signed',
    ],
    [
      'an expired root at asOf',
      () => ({ current: { name: 'x', pem: ROOT_A }, asOf: AS_OF_EXPIRED }),
      ErrorCode.INVALID_DATE,
      'not valid at asOf',
    ],
    [
      'the same key twice',
      () => ({
        current: { name: 'a', pem: ROOT_A },
        rotation: { next: { name: 'b', pem: ROOT_A }, overlapUntil: OVERLAP, phase: RootRotationPhase.PUBLISH_NEXT },
        asOf: AS_OF_VALID,
      }),
      ErrorCode.DUPLICATE,
      'a rotation needs a new key',
    ],
    [
      'an overlap beyond the previous root expiry',
      () => ({
        current: { name: 'a', pem: ROOT_A },
        rotation: {
          next: { name: 'b', pem: ROOT_B },
          overlapUntil: '2037-01-01T00:00:00Z',
          phase: RootRotationPhase.SWITCH,
        },
        asOf: AS_OF_VALID,
      }),
      ErrorCode.INVALID_DATE,
      'before the overlap ends at 2037-01-01T00:00:00Z',
    ],
    ['no asOf', () => ({ current: { name: 'a', pem: ROOT_A } }), ErrorCode.MISSING_CONFIG, 'needs asOf'],
  ])('GIVEN %s THEN it fails', (_what, props, code, text) => {
    const e = errorOf(() => ControlPlaneTrust.fromCertificatePem(newStack(), 'Corp', props() as any));
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
  });
});
