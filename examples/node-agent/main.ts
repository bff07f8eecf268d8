/**
 * A node agent that embeds the bundle loop (cdktf-platform-trust/node). The node is enrolled with the bundle key
 * pin (the stack's `bundle_key_pin` output) and the control plane's public HTTPS root, both delivered with the node
 * image; after that it trusts only what its held bundle says. It never contacts Vault. Compiled with the library;
 * the fleet test runs a thousand of these loops in one process.
 */
import { BundleAgent } from '../../lib/node';

/** What the node image provides. */
export interface NodeSettings {
  readonly bundleKeyPin: string;
  readonly controlPlaneUrl: string;
  readonly controlPlaneRootPem: string;
  readonly nodeCertPem: string;
  readonly nodeKeyPem: string;
}

// snippet:start
export function startBundleLoop(s: NodeSettings): BundleAgent {
  const agent = new BundleAgent({
    stateDir: '/var/lib/gpuaas-agent', // the accepted envelope: the sequence survives a restart
    rootDir: '/', // the three trust files, written atomically at the bundle's paths
    enrolment: { bundleKeyPin: s.bundleKeyPin, url: s.controlPlaneUrl, httpsRoots: s.controlPlaneRootPem },
    clientCertificate: { cert: s.nodeCertPem, key: s.nodeKeyPem },
  });
  agent.on('accepted', (e) => console.log(`trust bundle ${e.sequence} in place (was ${e.previous ?? 'none'})`));
  agent.on('rejected', (e) => console.error(`refused a served bundle: ${e.reason}: ${e.detail}`));
  agent.on('fetch-failed', (e) => console.warn(`control plane unreachable (${e.error}); keeping the held bundle`));
  agent.on('expired', () => console.error('the held bundle expired: every task is refused until a fresh one'));
  process.on('SIGHUP', () => void agent.refreshNow());
  agent.start();
  return agent;
}

/** A task from the control plane runs only if its signature verifies under the held bundle, now. */
export function admitTask(agent: BundleAgent, task: string, signature: string): boolean {
  const verdict = agent.verifyTask(task, signature);
  if (!verdict.ok) console.error(`task refused: ${verdict.reason}`);
  return verdict.ok;
}
// snippet:end
