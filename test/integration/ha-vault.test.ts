/**
 * The dev stack against a highly available Vault: three nodes with integrated storage (raft) over TLS on loopback,
 * the real engine talking TLS to them. One cluster serves every case.
 *
 * - The stack applies through the cluster; the second plan is empty.
 * - The active node is killed during a rotation apply (the task key's pre-publish), right after it rotated the key
 *   and before the engine heard so; after fail-over the re-apply through a surviving node adopts the version Vault
 *   already has: nothing is rotated twice and the bundle is published once.
 * - The control plane logs in with its AppRole, reads and verifies the bundle and signs a task through a standby,
 *   which forwards to the active node.
 */
import { App } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import { verifyBundle, verifyTask } from '../../lib/node';
import { HoldProxy } from './hold-proxy';
import { VaultCluster } from './vault-cluster';
import { TEST_FRESHNESS, Workspace } from './workspace';

const KEY = 'node-task-signer';

function environment(prePublish: boolean): EnvironmentConfig {
  return {
    name: 'ha',
    controlPlaneUrl: 'https://control.ha.localhost',
    taskSigning: prePublish ? { version: 2, activeVersion: 1 } : { version: 1 },
    bundle: { freshness: TEST_FRESHNESS, sequence: prePublish ? 2 : 1 },
    nodeDomain: 'nodes.ha.internal',
  };
}

describe('highly available Vault: 3-node raft cluster over TLS (real engine, real servers)', () => {
  let cluster: VaultCluster;
  let ws: Workspace;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await VaultCluster.start(3);
    console.log(`[ha-vault] 3-node raft cluster over TLS up in ${Date.now() - started} ms`);
    ws = Workspace.create('pt-ha-');
  });

  afterAll(async () => {
    ws?.dispose();
    await cluster?.stop();
  });

  async function latestVersion(client = cluster.client(cluster.nodes.find((n) => n.running)!)): Promise<number> {
    const res = await client.read(`ha/transit/keys/${KEY}`);
    if (res.status !== 200) throw new Error(`reading the key failed (${res.status}): ${JSON.stringify(res.body)}`);
    return res.body.data.latest_version;
  }

  async function bundleWrites(): Promise<number> {
    const res = await cluster.client(cluster.nodes.find((n) => n.running)!).read('ha/kv/metadata/bootstrap/bundle');
    return res.body.data.current_version;
  }

  test('the dev stack applies through the cluster (TLS, the active node); the second plan is empty', async () => {
    const { active } = await cluster.waitForQuorum();
    ws.env = cluster.env(active);
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment(false) }));
    await ws.apply();
    await ws.expectNoChanges();
    expect(await latestVersion()).toBe(1);
    expect(await bundleWrites()).toBe(1);
  });

  test('the active node killed during a rotation apply: after fail-over the re-apply adopts the rotation, rotates nothing twice and publishes the bundle once', async () => {
    const before = await cluster.waitForQuorum();
    // The engine reaches the active node through a TLS proxy that holds the node's answer to the rotation.
    const proxy = await HoldProxy.start({
      target: before.active.addr,
      ca: cluster.certs.caPem,
      tls: { cert: cluster.certs.certPem, key: cluster.certs.keyPem },
    });
    proxy.rule = (_method, url) => (url.includes(`/transit/keys/${KEY}/rotate`) ? 'hold-response' : 'pass');
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment(true) }));
    ws.env = cluster.env(proxy.addr);
    let result;
    try {
      const running = ws.applyRaw();
      await proxy.nextHeld();
      // The rotation is committed (raft: on a quorum) before the node answers: a standby already reads v2.
      expect(await latestVersion(cluster.client(before.standbys[0]))).toBe(2);
      await before.active.kill();
      await proxy.close();
      result = await running;
    } finally {
      await proxy.close().catch(() => undefined);
    }
    expect(result.code).not.toBe(0);
    console.log(`[ha-vault] the interrupted apply: ${result.stderr.replace(/\s+/g, ' ').slice(0, 300)}`);

    const after = await cluster.waitForQuorum();
    expect(after.active).not.toBe(before.active);
    expect(await latestVersion(cluster.client(after.active))).toBe(2);
    expect(await bundleWrites()).toBe(1);

    // The runner retries through a surviving node (a standby: it forwards to the new active node).
    ws.env = cluster.env(after.standbys[0]);
    const replan = await ws.plan();
    const rotation = (replan.json.resource_changes as any[]).find((c) => /RotateToV2/.test(c.address));
    expect([rotation.change.actions, rotation.change.after.path]).toEqual([
      ['create'],
      `ha/transit/keys/${KEY}/config`,
    ]);
    await ws.apply();
    expect(await latestVersion(cluster.client(after.active))).toBe(2);
    expect(await bundleWrites()).toBe(2);
    await ws.expectNoChanges();
    expect(await bundleWrites()).toBe(2);
  });

  test('the control plane logs in, reads and verifies the bundle and signs a task through a standby', async () => {
    const { active, standbys } = await cluster.waitForQuorum();
    const outputs = await ws.outputs();
    const secretId = await cluster
      .client(active)
      .write(`auth/${outputs.control_plane_approle_mount}/role/ha-control-plane/secret-id`);
    expect(secretId.status).toBe(200);
    const standby = cluster.client(standbys[0], '');
    const cp = await standby.loginAppRole(
      outputs.control_plane_approle_mount,
      outputs.control_plane_role_id,
      secretId.body.data.secret_id,
    );
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    const envelope = res.body.data.data.envelope;
    const verdict = verifyBundle(
      typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
      outputs.bundle_signing_keys,
      new Date(),
    );
    expect(verdict).toMatchObject({ ok: true });
    if (!verdict.ok) throw new Error('unreachable');
    expect(verdict.bundle.sequence).toBe(2);
    expect(verdict.bundle.env.GPUAAS_TASK_SIGNING_PUBKEYS).toBe(outputs.task_signing_pubkeys);

    const task = JSON.stringify({ type: 'node.task.v1', node: 'n1.nodes.ha.internal', action: 'reboot' });
    const signed = await cp.write(outputs.task_signing_key.replace('/keys/', '/sign/'), {
      input: Buffer.from(task).toString('base64'),
      key_version: outputs.task_signing_active_version,
    });
    expect(signed.status).toBe(200);
    expect(verifyTask(outputs.task_signing_pubkeys, task, signed.body.data.signature, new Date())).toMatchObject({
      ok: true,
      version: 1,
    });
  });
});
