import { TerraformLocal, Testing, Token } from 'cdktf';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { Capability, ErrorCode, PlatformTrustError, VaultPolicy } from '../../../lib/core';
import { NodeCertAuthority, NodeCertAuthorityProps } from '../../../lib/pki/node-cert-authority';
import { PkiKeyType } from '../../../lib/pki/key-type';
import { block, blocks, newStack, secretFindings, synthJson } from './helpers';

const PROPS: NodeCertAuthorityProps = { mountPath: 'dev/pki-nodes', nodeDomain: 'nodes.dev.internal' };

function errorOf(fn: () => unknown): PlatformTrustError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformTrustError) return e;
    throw e;
  }
  throw new Error('expected a PlatformTrustError');
}

describe('NodeCertAuthority', () => {
  test('GIVEN defaults THEN a two-tier CA is generated inside Vault and protected from destroy', () => {
    const stack = newStack();
    new NodeCertAuthority(stack, 'NodeCa', PROPS);
    const synth = Testing.synth(stack, true);
    const json = JSON.parse(synth);

    expect(synth).toHaveResourceWithProperties(Mount, {
      path: 'dev/pki-nodes-root',
      type: 'pki',
      max_lease_ttl_seconds: 315360000,
      lifecycle: { prevent_destroy: true },
    });
    expect(synth).toHaveResourceWithProperties(Mount, {
      path: 'dev/pki-nodes',
      type: 'pki',
      default_lease_ttl_seconds: 86400,
      max_lease_ttl_seconds: 157680000,
      lifecycle: { prevent_destroy: true },
    });
    expect(synth).toHaveResourceWithProperties(PkiSecretBackendRootCert, {
      type: 'internal',
      issuer_name: 'node-root',
      key_type: 'ec',
      key_bits: 384,
      common_name: 'nodes.dev.internal root CA',
      lifecycle: { prevent_destroy: true },
    });

    const csr = block(json, 'vault_pki_secret_backend_intermediate_cert_request', 'IntermediateCsr');
    expect(csr).toMatchObject({
      type: 'internal',
      key_type: 'ec',
      key_bits: 384,
      lifecycle: { prevent_destroy: true },
    });
    const signed = block(json, 'vault_pki_secret_backend_root_sign_intermediate', 'IntermediateSigned');
    expect(signed).toMatchObject({
      max_path_length: 0,
      permitted_dns_domains: ['nodes.dev.internal'],
      ttl: '157680000',
      revoke: false,
    });
    expect(signed.csr).toMatch(/^\$\{vault_pki_secret_backend_intermediate_cert_request\..*\.csr\}$/);
    expect(signed.issuer_ref).toMatch(/^\$\{vault_pki_secret_backend_root_cert\..*\.issuer_id\}$/);
    expect(signed.backend).toMatch(/RootMount.*\.path\}$/);
    const setSigned = block(json, 'vault_pki_secret_backend_intermediate_set_signed', 'Intermediate');
    expect(setSigned.certificate).toMatch(/IntermediateSigned.*\.certificate\}$/);
    const issuers = block(json, 'vault_pki_secret_backend_config_issuers', 'NodeCa_Issuers');
    expect(issuers.default).toMatch(
      /^\$\{element\(vault_pki_secret_backend_intermediate_set_signed\..*\.imported_issuers, 0\)\}$/,
    );
    expect(issuers.default_follows_latest_issuer).toBe(false);

    expect(secretFindings(synth)).toEqual([]);
    expect(Object.keys(blocks(json, 'vault_pki_secret_backend_config_urls'))).toEqual([]);
  });

  test('GIVEN defaults THEN both roles are client-auth only, short-lived and limited to the node domain', () => {
    const stack = newStack();
    new NodeCertAuthority(stack, 'NodeCa', PROPS);
    const synth = Testing.synth(stack, true);
    for (const name of ['node-enroll', 'node-renew']) {
      expect(synth).toHaveResourceWithProperties(PkiSecretBackendRole, {
        name,
        issuer_ref: 'default',
        allowed_domains: ['nodes.dev.internal'],
        allow_subdomains: true,
        allow_bare_domains: false,
        allow_glob_domains: false,
        allow_wildcard_certificates: false,
        allow_any_name: false,
        allow_ip_sans: false,
        allow_localhost: false,
        server_flag: false,
        client_flag: true,
        code_signing_flag: false,
        email_protection_flag: false,
        key_type: 'ec',
        key_bits: 256,
        key_usage: ['DigitalSignature'],
        ttl: '86400',
        max_ttl: '259200',
      });
    }
  });

  test('exposes the node-cert CA bundle as intermediate then root', () => {
    const stack = newStack();
    const ca = new NodeCertAuthority(stack, 'NodeCa', PROPS);
    expect(ca.caPems).toEqual([ca.intermediateCertificatePem, ca.rootCertificatePem]);
    new TerraformLocal(stack, 'Chain', ca.caChainPem);
    expect(synthJson(stack).locals.Chain).toMatch(
      /^\$\{vault_pki_secret_backend_root_sign_intermediate\..*\.certificate\}\n\$\{vault_pki_secret_backend_root_cert\..*\.certificate\}$/,
    );
  });

  test('GIVEN grantIssueForPools called before a pool is added WHEN addNodePoolRole runs THEN the grantee gets issue and sign on the new pool too', () => {
    const stack = newStack();
    const ca = new NodeCertAuthority(stack, 'NodeCa', PROPS);
    ca.addNodePoolRole('gpu-a100');
    const cp = new VaultPolicy(stack, 'Cp', { name: 'dev-cp' });
    const other = new VaultPolicy(stack, 'Other', { name: 'dev-other' });
    other.policyDocument.addRule({ path: 'secret/data/x', capabilities: [Capability.READ] });
    expect(ca.grantIssueForPools(cp).paths).toEqual([
      'dev/pki-nodes/issue/node-enroll-gpu-a100',
      'dev/pki-nodes/sign/node-enroll-gpu-a100',
    ]);
    ca.addNodePoolRole('gpu-h100');
    const hcl = cp.policyDocument.toHcl();
    expect(hcl).toContain('path "dev/pki-nodes/issue/node-enroll-gpu-h100"');
    expect(hcl).toContain('path "dev/pki-nodes/sign/node-enroll-gpu-h100"');
    expect(other.policyDocument.toHcl()).not.toContain('node-enroll');
  });

  test('GIVEN no pool yet WHEN grantIssueForPools is called THEN it grants nothing now and every pool added later', () => {
    const stack = newStack();
    const ca = new NodeCertAuthority(stack, 'NodeCa', PROPS);
    const cp = new VaultPolicy(stack, 'Cp', { name: 'dev-cp' });
    expect(ca.grantIssueForPools(cp).paths).toEqual([]);
    ca.addNodePoolRole('gpu-a100');
    expect(cp.policyDocument.toHcl()).toContain('path "dev/pki-nodes/sign/node-enroll-gpu-a100"');
  });

  test('addNodePoolRole adds a client-auth role limited to the pool subdomain; grantIssueForPools grants issue and sign on it', () => {
    const stack = newStack();
    const ca = new NodeCertAuthority(stack, 'NodeCa', PROPS);
    ca.addNodePoolRole('gpu-a100');
    const cp = new VaultPolicy(stack, 'Cp', { name: 'dev-cp' });
    expect(ca.grantIssueForPools(cp).paths).toEqual([
      'dev/pki-nodes/issue/node-enroll-gpu-a100',
      'dev/pki-nodes/sign/node-enroll-gpu-a100',
    ]);
    const json = synthJson(stack);
    const pool = Object.entries(json.resource.vault_pki_secret_backend_role).find(([id]) =>
      id.includes('Pool-gpu-a100'),
    )![1] as any;
    expect(pool).toMatchObject({
      name: 'node-enroll-gpu-a100',
      allowed_domains: ['gpu-a100.nodes.dev.internal'],
      allow_subdomains: true,
      allow_bare_domains: false,
      server_flag: false,
      client_flag: true,
      ttl: '86400',
      max_ttl: '259200',
    });
    expect(() => ca.addNodePoolRole('GPU/pool')).toThrow('Invalid node pool name');
  });

  test('grantIssue adds issue and sign on the two roles only; grantSignCsr adds sign only', () => {
    const stack = newStack();
    const ca = new NodeCertAuthority(stack, 'NodeCa', PROPS);
    const enroll = new VaultPolicy(stack, 'Enroll', { name: 'dev-node-enrollment' });
    const grant = ca.grantIssue(enroll);
    expect(grant.paths).toEqual([
      'dev/pki-nodes/issue/node-enroll',
      'dev/pki-nodes/sign/node-enroll',
      'dev/pki-nodes/issue/node-renew',
      'dev/pki-nodes/sign/node-renew',
    ]);
    expect(enroll.policyDocument.toHcl()).toBe(
      [
        'path "dev/pki-nodes/issue/node-enroll" {',
        '  capabilities = ["update"]',
        '}',
        'path "dev/pki-nodes/issue/node-renew" {',
        '  capabilities = ["update"]',
        '}',
        'path "dev/pki-nodes/sign/node-enroll" {',
        '  capabilities = ["update"]',
        '}',
        'path "dev/pki-nodes/sign/node-renew" {',
        '  capabilities = ["update"]',
        '}',
        '',
      ].join('\n'),
    );
    const csrOnly = new VaultPolicy(stack, 'CsrOnly', { name: 'dev-node-csr' });
    expect(ca.grantSignCsr(csrOnly).paths).toEqual(['dev/pki-nodes/sign/node-enroll', 'dev/pki-nodes/sign/node-renew']);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test('GIVEN distributionBaseUrl THEN both mounts publish AIA and CRL URLs under it', () => {
    const stack = newStack();
    new NodeCertAuthority(stack, 'NodeCa', {
      ...PROPS,
      distributionBaseUrl: 'https://control.dev.platform.internal/pki/',
    });
    const json = synthJson(stack);
    expect(block(json, 'vault_pki_secret_backend_config_urls', 'NodeCa_Urls')).toMatchObject({
      issuing_certificates: ['https://control.dev.platform.internal/pki/dev/pki-nodes/ca'],
      crl_distribution_points: ['https://control.dev.platform.internal/pki/dev/pki-nodes/crl'],
    });
    expect(block(json, 'vault_pki_secret_backend_config_urls', 'RootUrls')).toMatchObject({
      issuing_certificates: ['https://control.dev.platform.internal/pki/dev/pki-nodes-root/ca'],
    });
    expect(
      block(json, 'vault_pki_secret_backend_root_sign_intermediate', 'IntermediateSigned').depends_on,
    ).toHaveLength(2);
  });

  test('GIVEN protectFromDestroy false THEN no prevent_destroy (throw-away test servers only)', () => {
    const stack = newStack();
    new NodeCertAuthority(stack, 'NodeCa', { ...PROPS, protectFromDestroy: false, keyType: PkiKeyType.RSA_2048 });
    const synth = Testing.synth(stack, true);
    expect(synth).not.toContain('"prevent_destroy": true');
    expect(synth).toHaveResourceWithProperties(PkiSecretBackendRole, {
      key_type: 'rsa',
      key_bits: 2048,
      key_usage: ['DigitalSignature', 'KeyEncipherment'],
    });
  });

  describe('refusals', () => {
    test.each<[string, Partial<NodeCertAuthorityProps>, ErrorCode, string]>([
      [
        'ttl above maxTtl',
        { ttlSeconds: 7200, maxTtlSeconds: 3600 },
        ErrorCode.INVALID_TTL,
        'give at most 3600 seconds',
      ],
      ['maxTtl above 30 days', { maxTtlSeconds: 31 * 86400 }, ErrorCode.INVALID_TTL, 'between 300 and 2592000'],
      [
        'intermediate outliving the root',
        { rootTtlSeconds: 2 * 31536000, intermediateTtlSeconds: 3 * 31536000 },
        ErrorCode.INVALID_TTL,
        'the root lifetime',
      ],
      ['a wildcard domain', { nodeDomain: '*.nodes.dev.internal' }, ErrorCode.INVALID_NAME, 'wildcard'],
      ['a nested root mount', { rootMountPath: 'dev/pki-nodes/root' }, ErrorCode.DUPLICATE, 'overlapping mount path'],
      ['the same role names', { renewRoleName: 'node-enroll' }, ErrorCode.DUPLICATE, 'different names'],
      [
        'a bad key type',
        { keyType: 'ec' as unknown as PkiKeyType },
        ErrorCode.INVALID_KEY_TYPE,
        'expected a PkiKeyType',
      ],
      [
        'an http distribution URL',
        { distributionBaseUrl: 'http://cp.internal' },
        ErrorCode.INVALID_URL,
        'nodes only talk https',
      ],
    ])('GIVEN %s THEN it fails', (_what, props, code, text) => {
      const e = errorOf(() => new NodeCertAuthority(newStack(), 'NodeCa', { ...PROPS, ...props }));
      expect(e.code).toBe(code);
      expect(e.message).toContain(text);
    });

    test('GIVEN token TTLs THEN the checks are skipped', () => {
      const stack = newStack();
      const t = Token.asNumber({ Ref: 'x' });
      expect(() => new NodeCertAuthority(stack, 'NodeCa', { ...PROPS, ttlSeconds: t, maxTtlSeconds: t })).not.toThrow();
    });

    test('GIVEN a token mount path without rootMountPath THEN it asks for the root mount path', () => {
      const t = Token.asString({ Ref: 'x' });
      expect(() => new NodeCertAuthority(newStack(), 'NodeCa', { ...PROPS, mountPath: t })).toThrow(
        'pass rootMountPath explicitly',
      );
    });
  });
});
