/**
 * `npm run demo`: the whole lifecycle on one machine, in one command.
 *
 *  1. builds or finds the toolchain (OpenTofu, the providers, a Vault-API server),
 *  2. starts a local dev server on a free loopback port,
 *  3. applies the dev stack with local state,
 *  4. signs a node task through Vault with the control plane's AppRole credentials and verifies it
 *     with `cdktf-platform-trust/node`,
 *  5. prints the bootstrap bundle the control plane serves (and verifies its signature under the bundle
 *     signing key, and against the bundle key pin a new node enrols with),
 *  6. pre-publishes a new task signing key version, printing the plan explainer's view of that plan.
 *
 * Everything it started is stopped at the end, on error, or on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig } from '../stacks/environment';
import { dev } from '../stacks/environments';
import { PlatformTrustStack } from '../stacks/platform-trust-stack';
import { acceptFirstBundle, verifyBundle, verifyTask } from '../lib/node';
import { explainPlan, renderMarkdown } from '../lib/review';
import { VaultServer } from '../test/integration/vault-server';
import { repoRoot } from '../test/integration/toolchain';
import { Workspace } from '../test/integration/workspace';

const started = Date.now();
function step(n: number, text: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`\n[demo ${s}s] ${n}. ${text}\n`);
}

/** Runs `work` while printing a dot every 2 s, so long steps show progress. */
async function withProgress<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => process.stdout.write('.'), 2000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    process.stdout.write('\n');
  }
}

async function main(): Promise<void> {
  let server: VaultServer | undefined;
  let ws: Workspace | undefined;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    ws?.dispose();
    await server?.stop();
  };
  process.on('SIGINT', () => {
    process.stdout.write('\n[demo] interrupted: stopping the server and removing the workspace\n');
    void cleanup().then(() => process.exit(130));
  });

  try {
    step(1, 'toolchain: building or finding OpenTofu, the providers and a Vault-API server');
    const tc = spawnSync('bash', [path.join(repoRoot, 'scripts', 'toolchain.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (tc.status !== 0) throw new Error('the toolchain could not be built (see the messages above)');

    step(2, 'starting a local dev server on 127.0.0.1');
    server = await VaultServer.start();
    console.log(`  server at ${server.addr} (root token only in this process's memory)`);

    // The dev config's expiry is a date in code; the demo runs on any day, so it publishes a bundle valid for 30
    // days from today (a platform repo moves the date forward in a reviewed change instead).
    const expires = `${new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10)}T00:00:00Z`;
    const env: EnvironmentConfig = { ...dev, bundle: { ...dev.bundle, freshness: { expires } } };
    ws = Workspace.create('pt-demo-');
    ws.env = server.env;
    step(3, `applying the dev stack (local state in ${ws.dir})`);
    const work = ws;
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: env }));
    const created = await withProgress(work.apply());
    console.log(`  ${created.length} resources created; a second plan:`);
    await work.expectNoChanges();
    console.log('  no changes (nothing drifts: no timestamps, no random values)');
    const out = await ws.outputs();

    step(4, "signing a node task through Vault with the control plane's AppRole");
    const mount = out.control_plane_approle_mount;
    const secretId = await server.root.write(`auth/${mount}/role/${env.name}-control-plane/secret-id`);
    const cp = await server.root.loginAppRole(mount, out.control_plane_role_id, secretId.body.data.secret_id);
    const task = JSON.stringify({ type: 'node.task.v1', node: 'gpu-0001.nodes.dev.internal', action: 'drain' });
    const signed = await cp.write(String(out.task_signing_key).replace('/keys/', '/sign/'), {
      input: Buffer.from(task).toString('base64'),
      key_version: out.task_signing_active_version,
    });
    if (signed.status !== 200) throw new Error(`signing failed: ${JSON.stringify(signed.body)}`);
    const signature = signed.body.data.signature as string;
    console.log(`  task:      ${task}\n  signature: ${signature.slice(0, 40)}...`);
    const verdict = verifyTask(out.task_signing_pubkeys, task, signature, new Date());
    console.log(`  node-side verifyTask: ${JSON.stringify(verdict)}`);
    const exported = await cp.read(String(out.task_signing_key).replace('/keys/', '/export/signing-key/'));
    console.log(`  the same credentials trying to export the key: HTTP ${exported.status} (denied)`);

    step(5, 'the bootstrap bundle the control plane serves to nodes');
    const kv = await cp.read(out.bootstrap_bundle_kv_path);
    const envelope = kv.body.data.data.envelope;
    const envelopeText = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
    const bundleCheck = verifyBundle(envelopeText, out.bundle_signing_keys, new Date());
    const enrolment = acceptFirstBundle(envelopeText, out.bundle_key_pin, new Date());
    const bundle = JSON.parse(out.bootstrap_bundle);
    const short = (pem: string) => `${pem.split('\n')[1].slice(0, 24)}... (${pem.length} bytes of PEM)`;
    console.log(
      JSON.stringify(
        {
          ...bundle,
          public_https_trust: {
            ...bundle.public_https_trust,
            roots: bundle.public_https_trust.roots.map((r: { pem: string }) => ({ ...r, pem: short(r.pem) })),
          },
          node_cert_trust: { ...bundle.node_cert_trust, pems: bundle.node_cert_trust.pems.map(short) },
          env: { ...bundle.env, GPUAAS_TASK_SIGNING_PUBKEYS: '(the verifier set above, as one JSON line)' },
        },
        null,
        2,
      ),
    );
    console.log(
      `  signature check on the node side: ${bundleCheck.ok ? 'valid, signed by bundle key ' + bundleCheck.signer?.kid : 'REFUSED ' + JSON.stringify(bundleCheck)}`,
    );
    console.log(
      `  first bundle of a new node, checked against the pin ${out.bundle_key_pin}: ${enrolment.ok ? 'accepted' : 'REFUSED ' + JSON.stringify(enrolment)}`,
    );
    if (!bundleCheck.ok || !enrolment.ok) throw new Error('the node side refused the published bundle');

    step(6, 'pre-publishing task signing key version 2 (a one-line change) and explaining the plan');
    const rotated: EnvironmentConfig = {
      ...env,
      taskSigning: { version: 2, activeVersion: 1 },
      bundle: { ...env.bundle, sequence: env.bundle.sequence + 1 },
    };
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: rotated }));
    const { json } = await withProgress(work.plan());
    console.log(renderMarkdown(explainPlan(json)));
    await withProgress(work.apply());
    const after = await ws.outputs();
    const set = JSON.parse(after.task_signing_pubkeys);
    console.log(
      `  applied: verifier set now ${set.keys.map((k: { version: number; state: string }) => `v${k.version} ${k.state}`).join(', ')}`,
    );

    console.log(`\n[demo] done in ${((Date.now() - started) / 1000).toFixed(1)} s; stopping the server.`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(`\n[demo] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
