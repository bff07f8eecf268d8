import { BundleSamePath, CheckStatus, SecretInConfig } from '../../../lib/checks';
import { contextOf, detailsOf, element, resource } from './helpers';

const none = contextOf();
const CA = '/etc/gpuaas/trust/control-plane-ca.pem';
const NODE = '/etc/gpuaas/trust/node-cert-ca.pem';

describe('BundleSamePath', () => {
  test('GIVEN the same path in the env of a JSON bundle THEN non-compliant', () => {
    const secret = resource('vault_kv_secret_v2', {
      mount: 'kv',
      name: 'bootstrap/bundle',
      data_json: JSON.stringify({ env: { GPUAAS_CA_BUNDLE_PATH: CA, GPUAAS_NODE_CERT_CA_BUNDLE_PATH: CA } }),
    });
    expect(detailsOf(BundleSamePath.check(secret, none))).toEqual([
      `the public HTTPS CA bundle (GPUAAS_CA_BUNDLE_PATH) and the node-cert CA bundle (GPUAAS_NODE_CERT_CA_BUNDLE_PATH) both use "${CA}" (GPUAAS_CA_BUNDLE_PATH and GPUAAS_NODE_CERT_CA_BUNDLE_PATH)`,
    ]);
  });

  test('GIVEN the same path in an HCL jsonencode local or an env file THEN non-compliant', () => {
    const local = element('local', 'locals', {
      value: `\${jsonencode({"public_https_trust" = {"path" = "${NODE}", "roots" = []}, "node_cert_trust" = {"path" = "${NODE}", "pems" = []}})}`,
    });
    expect(detailsOf(BundleSamePath.check(local, none))[0]).toContain(
      '(public_https_trust.path and node_cert_trust.path)',
    );
    const env = resource('local_file', {
      filename: 'node.env',
      content: `GPUAAS_CA_BUNDLE_PATH=${CA}\nexport GPUAAS_NODE_CERT_CA_BUNDLE_PATH="${CA}"\n`,
    });
    expect(BundleSamePath.check(env, none).status).toBe(CheckStatus.NON_COMPLIANT);
  });

  test('GIVEN distinct paths THEN compliant; GIVEN token paths or no bundle THEN not applicable', () => {
    const ok = resource('vault_kv_secret_v2', {
      data_json: JSON.stringify({ env: { GPUAAS_CA_BUNDLE_PATH: CA, GPUAAS_NODE_CERT_CA_BUNDLE_PATH: NODE } }),
    });
    expect(BundleSamePath.check(ok, none).status).toBe(CheckStatus.COMPLIANT);
    const tokens = element('local', 'locals', {
      value: '${jsonencode({"GPUAAS_CA_BUNDLE_PATH" = var.path, "GPUAAS_NODE_CERT_CA_BUNDLE_PATH" = var.path})}',
    });
    expect(BundleSamePath.check(tokens, none).status).toBe(CheckStatus.NOT_APPLICABLE);
    expect(BundleSamePath.check(resource('vault_mount', { path: 'kv' }), none).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});

describe('SecretInConfig', () => {
  const token = `hvs.${'A1b2C3d4'.repeat(4)}`;
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';

  test('GIVEN a Vault token and a PEM private key in the stack JSON THEN one finding each, located and redacted', () => {
    const findings = SecretInConfig.check({
      path: 'stack',
      json: {
        provider: { vault: [{ token }] },
        resource: { vault_kv_secret_v2: { seed: { data_json: JSON.stringify({ key: pem }) } } },
      },
    });
    expect(findings).toEqual([
      {
        location: 'provider.vault[0].token',
        detail: 'Found a Vault token at provider.vault[0].token (hvs.A1… (36 chars))',
      },
      {
        location: 'resource.vault_kv_secret_v2.seed.data_json',
        detail: 'Found a PEM private key at resource.vault_kv_secret_v2.seed.data_json (-----BEGIN PRIVATE KEY-----)',
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain(token);
  });

  test('GIVEN a clean stack or token references THEN no finding', () => {
    expect(
      SecretInConfig.check({ path: 'stack', json: { provider: { vault: [{ token: '${var.vault_token}' }] } } }),
    ).toEqual([]);
  });
});
