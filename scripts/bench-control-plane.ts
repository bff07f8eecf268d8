/**
 * The control-plane and fleet figures of `npm run bench`, against a real Vault-API server and the stack applied by
 * the real engine (skipped, with a note, without the toolchain):
 *   - the bundle handler's requests per second on the 200 and 304 paths against a bare node:http handler that returns
 *     the same bytes, on keep-alive connections (target >= 0.5x);
 *   - the task signer's signatures per second against direct HTTP calls to Vault's sign endpoint with the same token
 *     kind, the same concurrency and keep-alive connections (target >= 0.8x);
 *   - a fleet of node agents taking a new bundle: convergence time against the refresh hint, and bytes per refresh.
 * Ratios are measured in the same run, rounds interleaved.
 */
import * as http from 'node:http';
import { App } from 'cdktf';
import { StaticBundleSource, createBundleHandler } from '../lib/control-plane';
import type { ControlPlane, Fleet } from '../test/integration/fleet-harness';
import { EnvironmentConfig } from '../stacks/environment';
import { PlatformTrustStack } from '../stacks/platform-trust-stack';

export interface ControlPlaneBenchTarget {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Requests per second of `send` on `connections` concurrent loops for `ms`. */
async function rate(ms: number, connections: number, send: () => Promise<void>): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        await send();
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

function get(agent: http.Agent, port: number, headers: Record<string, string>, expect: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v1/bootstrap/bundle', agent, headers }, (res) => {
      if (res.statusCode !== expect) reject(new Error(`HTTP ${res.statusCode}, expected ${expect}`));
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** Runs the section; returns its Markdown and its targets. */
export async function benchControlPlane(
  quick: boolean,
  log: (m: string) => void,
): Promise<{ section: string; targets: ControlPlaneBenchTarget[] }> {
  const heading = '## Control plane and fleet';
  const { toolchain } = await import('../test/integration/toolchain');
  try {
    toolchain();
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return {
      section: `${heading}\n\nSkipped: the toolchain is not built here (${why}).`,
      targets: [{ target: 'bundle handler and task signer', measured: 'skipped (no toolchain)', met: undefined }],
    };
  }
  const { VaultServer } = await import('../test/integration/vault-server');
  const { Workspace, dayFromToday } = await import('../test/integration/workspace');
  const harness = await import('../test/integration/fleet-harness');
  const { issueNodeCertificates, sleep } = harness;
  const hint = 2;
  const host = 'control.bench.localhost';
  const environment = (sequence: number, version: number, active: number): EnvironmentConfig => ({
    name: 'bench',
    controlPlaneUrl: `https://${host}`,
    nodeDomain: 'nodes.bench.internal',
    taskSigning: { version, activeVersion: active },
    bundle: { sequence, freshness: { expires: dayFromToday(30), refreshHintSeconds: hint, rolloutRefreshes: 2 } },
  });
  log('control plane: starting a local Vault-API server and applying a stack');
  const bao = await VaultServer.start();
  const ws = Workspace.create('pt-bench-cp-');
  ws.env = bao.env;
  const lines: string[] = [heading, ''];
  const targets: ControlPlaneBenchTarget[] = [];
  let cp: ControlPlane | undefined;
  let fleet: Fleet | undefined;
  try {
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment(1, 1, 1) }));
    await ws.apply();
    const outputs = await ws.outputs();
    cp = await harness.ControlPlane.start({ vaultAddr: bao.addr, deployToken: bao.token, env: 'bench', host, outputs });
    const rounds = quick ? 1 : 3;
    const ms = quick ? 500 : 1500;

    // 1. The bundle handler against a bare handler returning the same bytes (plain HTTP, keep-alive).
    log('control plane: bundle handler throughput');
    const published = cp.source.current()!;
    const source = new StaticBundleSource(published.body.toString('utf8'));
    const handler = createBundleHandler(source);
    const cache = `max-age=${published.refreshHintSeconds}, must-revalidate`;
    const bare = http.createServer((req, res) => {
      if (req.headers['if-none-match'] === published.etag) {
        res.writeHead(304, { ETag: published.etag, 'Cache-Control': cache });
        res.end();
      } else {
        res.writeHead(200, {
          ETag: published.etag,
          'Cache-Control': cache,
          'Content-Type': 'application/json',
          'Content-Length': published.body.length,
        });
        res.end(published.body);
      }
    });
    const served = http.createServer((req, res) => handler(req, res));
    const ports = { bare: await listen(bare), handler: await listen(served) };
    const connections = 8;
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    const paths = {
      200: { headers: {}, status: 200 },
      304: { headers: { 'If-None-Match': published.etag }, status: 304 },
    } as const;
    const samples: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const p of [200, 304] as const) {
        for (const which of ['bare', 'handler'] as const) {
          const v = await rate(ms, connections, () => get(agent, ports[which], paths[p].headers, paths[p].status));
          (samples[`${which} ${p}`] ??= []).push(v);
        }
      }
    }
    agent.destroy();
    bare.close();
    served.close();
    lines.push(
      `Bundle handler: requests per second over ${connections} keep-alive connections (plain HTTP, client in the same process), median of ${rounds} interleaved rounds of ${ms} ms; the envelope is the stack's (${published.body.length} bytes).`,
      '',
      '| path | bare node:http | createBundleHandler | x bare | target | met |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const p of [200, 304] as const) {
      const b = median(samples[`bare ${p}`]);
      const h = median(samples[`handler ${p}`]);
      const ratio = h / b;
      lines.push(
        `| ${p} | ${Math.round(b)} | ${Math.round(h)} | ${ratio.toFixed(2)} | >= 0.5 | ${ratio >= 0.5 ? 'yes' : 'NO'} |`,
      );
      targets.push({
        target: `bundle handler, ${p} path >= 0.5x a bare node:http handler`,
        measured: `${ratio.toFixed(2)}x`,
        met: ratio >= 0.5,
      });
    }

    // 2. The task signer against direct HTTP calls to the sign endpoint (AppRole tokens both, keep-alive both).
    log('control plane: task signer throughput');
    const mount = outputs.control_plane_approle_mount;
    const secret = await bao.root.write(`auth/${mount}/role/bench-control-plane/secret-id`);
    const direct = await bao.root.loginAppRole(mount, outputs.control_plane_role_id, secret.body.data.secret_id);
    const vaultUrl = new URL(bao.addr);
    const vaultAgent = new http.Agent({ keepAlive: true, maxSockets: connections });
    const signPath = `/v1/${cp.signer.metadata.transitMount}/sign/${cp.signer.metadata.keyName}`;
    const body = JSON.stringify({ input: Buffer.from('drain gpu-0001').toString('base64'), key_version: '1' });
    const directSign = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          {
            host: vaultUrl.hostname,
            port: vaultUrl.port,
            path: signPath,
            method: 'POST',
            agent: vaultAgent,
            headers: {
              'X-Vault-Token': direct.token,
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`sign: HTTP ${res.statusCode}`));
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const signer = cp.signer;
    const signerSign = async () => {
      await signer.sign('drain gpu-0001');
    };
    const sig: Record<string, number[]> = { direct: [], signer: [] };
    for (let r = 0; r < rounds; r++) {
      sig.direct.push(await rate(ms, connections, directSign));
      sig.signer.push(await rate(ms, connections, signerSign));
    }
    vaultAgent.destroy();
    const d = median(sig.direct);
    const s = median(sig.signer);
    lines.push(
      '',
      `Task signer: signatures per second with ${connections} concurrent callers, median of ${rounds} interleaved rounds of ${ms} ms; "direct" is a bare node:http POST to \`${signPath.slice(4)}\` with an AppRole token of the same role over keep-alive connections.`,
      '',
      '| direct HTTP | TaskSigner.sign | x direct | target | met |',
      '| ---: | ---: | ---: | ---: | --- |',
      `| ${Math.round(d)} | ${Math.round(s)} | ${(s / d).toFixed(2)} | >= 0.8 | ${s / d >= 0.8 ? 'yes' : 'NO'} |`,
    );
    targets.push({
      target: 'task signer >= 0.8x direct HTTP calls to the sign endpoint',
      measured: `${(s / d).toFixed(2)}x`,
      met: s / d >= 0.8,
    });

    // 3. A fleet takes a new bundle (task key pre-publish): convergence against the refresh hint; bytes per refresh.
    const agents = quick ? 50 : 300;
    log(`control plane: a fleet of ${agents} agents takes a new bundle`);
    const certs = await issueNodeCertificates(cp, agents, 'nodes.bench.internal');
    fleet = new harness.Fleet(cp, certs, {
      bundleKeyPin: outputs.bundle_key_pin,
      httpsRoots: published.bundle.public_https_trust.roots.map((r: { pem: string }) => r.pem).join('\n'),
    });
    await fleet.start(150);
    if ((await fleet.converge(1, 60000)) === undefined) throw new Error('the fleet did not enrol');
    await sleep(hint * 1500);
    const before = { ...cp.responses };
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment(2, 2, 1) }));
    await ws.apply();
    const last = await fleet.converge(2, hint * 1000 * 5);
    const servedAt = cp.servedAt.get(2);
    await sleep(hint * 1500);
    const after = cp.responses;
    const at = fleet.acceptedAt
      .get(2)!
      .map((t) => t - servedAt!)
      .sort((a, b) => a - b);
    const converged = last !== undefined && servedAt !== undefined ? last - servedAt : undefined;
    const ok = after.ok - before.ok;
    const nm = after.notModified - before.notModified;
    lines.push(
      '',
      `Fleet: ${agents} node agents in this process (each its own node certificate, TLS connection, state and trust files; refresh hint ${hint} s, jitter 0.2) take the bundle of a task-key pre-publish; times from the control plane first serving it.`,
      '',
      '| agents | hint | p50 | p95 | last | last / hint | fetch failures | bytes per refresh, 200 | bytes per refresh, 304 |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${agents} | ${hint} s | ${(at[Math.floor(at.length / 2)] / 1000).toFixed(2)} s | ${(at[Math.floor(at.length * 0.95)] / 1000).toFixed(2)} s | ${converged === undefined ? 'not converged' : `${(converged / 1000).toFixed(2)} s`} | ${converged === undefined ? '-' : (converged / 1000 / hint).toFixed(2)} | ${fleet.counters.fetchFailures} | ${ok ? Math.round((after.okBytes - before.okBytes) / ok) : '-'} | ${nm ? Math.round((after.notModifiedBytes - before.notModifiedBytes) / nm) : '-'} |`,
      '',
      'Bytes per refresh are what the server writes for one bundle request (status line, headers and body; TLS records add about 30 bytes).',
    );
    const met = converged !== undefined && converged <= hint * 1500;
    targets.push({
      target: 'every agent holds a new bundle within 1.5 refresh hints',
      measured: converged === undefined ? 'not converged' : `${(converged / 1000 / hint).toFixed(2)} hints`,
      met,
    });
  } finally {
    await fleet?.stop();
    await cp?.close();
    ws.dispose();
    await bao.stop();
  }
  return { section: lines.join('\n'), targets };
}
