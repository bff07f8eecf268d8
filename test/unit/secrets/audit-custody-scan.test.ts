import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import {
  AuditDeviceType,
  CustodyKind,
  KmsProvider,
  SecretFindingRule,
  SigningCustody,
  auditDeviceSpec,
  renderAuditStanza,
  scanForSecrets,
} from '../../../lib/secrets';

// Test material is assembled at run time so that no secret-looking literal sits in the repository.
const PEM_HEADER = ['-----BEGIN', 'PRIVATE KEY-----'].join(' ');
const EC_PEM_HEADER = ['-----BEGIN EC', 'PRIVATE KEY-----'].join(' ');
const base62 = (n: number) => 'Ab3'.repeat(Math.ceil(n / 3)).slice(0, n);
const SERVICE_TOKEN = `hvs.${base62(90)}`;
const BATCH_TOKEN = `hvb.${base62(120)}`;
const RECOVERY_TOKEN = `hvr.${base62(40)}`;
const LEGACY_TOKEN = `s.${base62(24)}`;

describe('audit device', () => {
  test('defaults to a file device on stdout, rendered as an VaultServer declarative stanza', () => {
    const spec = auditDeviceSpec();
    expect(spec).toEqual({
      type: AuditDeviceType.FILE,
      name: 'file',
      description: 'Platform audit log (cdktf-platform-trust)',
      options: { file_path: 'stdout', format: 'json' },
    });
    expect(renderAuditStanza(spec)).toBe(
      [
        'audit "file" "file" {',
        '  description = "Platform audit log (cdktf-platform-trust)"',
        '  options {',
        '    file_path = "stdout"',
        '    format    = "json"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('a file path adds the file mode; log_raw is never rendered', () => {
    const stanza = renderAuditStanza(
      auditDeviceSpec({
        name: 'platform-file',
        auditDevice: { type: AuditDeviceType.FILE, path: '/var/log/openbao/audit.log' },
      }),
    );
    expect(stanza).toContain('audit "file" "platform-file" {');
    expect(stanza).toContain('    file_path = "/var/log/openbao/audit.log"');
    expect(stanza).toContain('    mode      = "0600"');
    expect(stanza).not.toContain('log_raw');
  });

  test.each([
    [{ auditDevice: { path: 'discard' } }, 'writes no audit log'],
    [{ auditDevice: { path: 'relative/audit.log' } }, 'must be "stdout" or an absolute path'],
    [{ auditDevice: { path: '/var/log/../../etc/x' } }, 'without ".."'],
    [{ auditDevice: { path: '/var/log/a"b' } }, 'must be "stdout" or an absolute path'],
    [{ mode: '0755' }, 'executable'],
    [{ mode: '600' }, 'four octal digits'],
    [{ description: 'bad "quote"' }, 'may not contain quotes'],
    [{ name: 'File' }, 'Invalid audit device name'],
  ])('refuses %p', (props, reason) => {
    expect(() => auditDeviceSpec(props)).toThrow(reason);
    expect(() => auditDeviceSpec(props)).toThrow(PlatformTrustError);
  });
});

describe('SigningCustody', () => {
  test('vault transit is the default custody and never allows export, backup or deletion', () => {
    const c = SigningCustody.vaultTransit();
    expect(c.kind).toBe(CustodyKind.VAULT_TRANSIT);
    expect([c.exportable, c.allowPlaintextBackup, c.deletionAllowed]).toEqual([false, false, false]);
    expect(String(c)).toBe('vault-transit');
  });

  test('kms and hsm say they are not supported and what they would declare', () => {
    expect(() => SigningCustody.kms({ provider: KmsProvider.GCP })).toThrow(
      '[PT030] Signing custody "kms:gcp" is not supported in this release: it would declare a non-exportable asymmetric signing key in the cloud KMS',
    );
    expect(() => SigningCustody.hsm()).toThrow(
      'Signing custody "hsm" is not supported in this release: it would declare a Vault managed key',
    );
    try {
      SigningCustody.hsm();
    } catch (e) {
      expect((e as PlatformTrustError).code).toBe(ErrorCode.UNSUPPORTED);
      expect((e as Error).message).toContain('Fix: use SigningCustody.vaultTransit()');
    }
  });
});

describe('scanForSecrets', () => {
  test('a clean document has no findings', () => {
    const doc = {
      resource: {
        vault_approle_auth_backend_role: { r: { secret_id_ttl: 2592000, secret_id_num_uses: 0, role_name: 's.short' } },
        vault_mount: { s: { path: 'dev/kv' } },
        vault_kv_secret_v2: { k: { data_json: '${jsonencode(var.seed)}', mount: '${vault_mount.s.path}' } },
      },
      output: { ca: { value: ['-----BEGIN', 'CERTIFICATE-----'].join(' ') } },
    };
    expect(scanForSecrets(JSON.stringify(doc))).toEqual([]);
  });

  test('finds a PEM private key block with its JSON path', () => {
    const findings = scanForSecrets(
      JSON.stringify({ resource: { tls_x: { k: { pem: `${EC_PEM_HEADER}\nMHcCAQEE...\n` } } } }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        rule: SecretFindingRule.PEM_PRIVATE_KEY,
        location: 'resource.tls_x.k.pem',
        excerpt: EC_PEM_HEADER,
      }),
    ]);
  });

  test.each([SERVICE_TOKEN, BATCH_TOKEN, RECOVERY_TOKEN, LEGACY_TOKEN])('finds the Vault token %#', (token) => {
    const findings = scanForSecrets(JSON.stringify({ provider: { vault: [{ token }] } }));
    expect(findings).toHaveLength(1);
    expect(findings[0].rule).toBe(SecretFindingRule.VAULT_TOKEN);
    expect(findings[0].location).toBe('provider.vault[0].token');
    expect(findings[0].excerpt).not.toContain(token.slice(6));
  });

  test('finds literal secret ids and the secret-id resource, not interpolations', () => {
    const findings = scanForSecrets(
      JSON.stringify({
        resource: {
          vault_approle_auth_backend_login: {
            a: { secret_id: 'f3a9c2d1-0000-4000-8000-1234567890ab' },
            b: { secret_id: '${var.secret_id}' },
          },
          vault_approle_auth_backend_role_secret_id: { c: { role_name: 'x' } },
        },
      }),
    );
    expect(findings.map((f) => [f.rule, f.location])).toEqual([
      [SecretFindingRule.APPROLE_SECRET_ID, 'resource.vault_approle_auth_backend_login.a.secret_id'],
      [SecretFindingRule.APPROLE_SECRET_ID, 'resource.vault_approle_auth_backend_role_secret_id'],
    ]);
    expect(findings[0].excerpt).toBe('f3a… (36 chars)');
  });

  test('scans text that is not JSON', () => {
    expect(scanForSecrets(`token=${SERVICE_TOKEN}\n${PEM_HEADER}`).map((f) => [f.rule, f.location])).toEqual([
      [SecretFindingRule.PEM_PRIVATE_KEY, '$'],
      [SecretFindingRule.VAULT_TOKEN, '$'],
    ]);
  });
});
