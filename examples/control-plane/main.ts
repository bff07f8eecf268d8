/**
 * A control plane that embeds the task signer and the bundle handler (cdktf-platform-trust/control-plane). Its
 * configuration is the stack's outputs plus Vault's address; its one secret, the AppRole secret id, arrives
 * response-wrapped from deploy tooling. Compiled with the library; the fleet test runs the same calls at scale.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import {
  AppRoleSession,
  TaskSigner,
  VaultBundleSource,
  VaultHttp,
  createBundleHandler,
  nodeClientTlsOptions,
} from '../../lib/control-plane';

/** What the deployment passes in: stack outputs, Vault's address, the server certificate. */
export interface ControlPlaneSettings {
  readonly vaultAddr: string;
  readonly vaultCaPem: string;
  /** Stack outputs `control_plane_approle_mount`, `control_plane_role_id`, `signing_metadata_path`, `bootstrap_bundle_kv_path`. */
  readonly outputs: Record<string, string>;
  /** A file where deploy tooling drops a response-wrapping token for a new secret id. */
  readonly wrappedSecretIdFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

// snippet:start
export async function startControlPlane(
  s: ControlPlaneSettings,
): Promise<{ signer: TaskSigner; server: https.Server }> {
  const vault = new VaultHttp({ address: s.vaultAddr, ca: s.vaultCaPem });
  // Logs in, renews the token, logs in again when it can no longer be renewed. The secret id is unwrapped from
  // sys/wrapping/unwrap; a wrapping token someone else already used fails loudly (ControlPlaneError CP002).
  const session = await AppRoleSession.login({
    vault,
    mount: s.outputs.control_plane_approle_mount,
    roleId: s.outputs.control_plane_role_id,
    wrappedSecretId: () => fs.readFileSync(s.wrappedSecretIdFile, 'utf8').trim(),
  });
  // Signs with the active version the stack publishes, and follows an activation or a rollback by itself.
  const signer = await TaskSigner.start({ session, metadataPath: s.outputs.signing_metadata_path });
  // Serves the published envelope (checked first) with ETag, 304 and Cache-Control from the refresh hint, to
  // clients that present a certificate from the node-cert CA only.
  const source = await VaultBundleSource.start({ session, path: s.outputs.bootstrap_bundle_kv_path });
  const bundle = createBundleHandler(source, { requireClientCertificate: true });
  const server = https.createServer(
    { cert: s.serverCert, key: s.serverKey, ...nodeClientTlsOptions(source) },
    (req, res) => bundle(req, res, () => res.writeHead(404).end()),
  );
  server.listen(8443);
  return { signer, server };
}

/** A task for a node: the signature is what the node verifies with its held bundle. */
export async function signTask(signer: TaskSigner, task: object): Promise<{ task: string; signature: string }> {
  const text = JSON.stringify(task);
  const { signature } = await signer.sign(text);
  return { task: text, signature };
}
// snippet:end
