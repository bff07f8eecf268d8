import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BootstrapBundleV1,
  DEFAULT_PATHS,
  NodeTrustError,
  NodeTrustErrorCode as Code,
  TRUST_FILE_MODE,
  materializeBundle,
  parseVerifierSet,
  pinMatchesAny,
  spkiPin,
} from '../../../lib/node';
import { makeBundle, makeTrustMaterial } from './helpers/bundles';
import { TestSigner } from './helpers/signer';

const m = makeTrustMaterial();
const signer = new TestSigner();
const set = signer.set([1, 'grace', '2026-03-01T00:00:00Z'], [2, 'active']);
const bundle = makeBundle({
  verifiers: set,
  roots: [
    { cert: m.rootNew, state: 'current' },
    { cert: m.rootOld, state: 'previous', until: '2026-03-01T00:00:00Z' },
  ],
  nodePems: [m.nodeIntermediate.pem, m.nodeRoot.pem],
});

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'node-trust-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Every file under a directory, relative, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NodeTrustError) return e.code;
    throw e;
  }
  return undefined;
}

describe('materializeBundle', () => {
  test('GIVEN a bundle WHEN materialized into a directory THEN the three files land under it at the bundle paths, and nothing else', () => {
    const written = materializeBundle(bundle, root);
    expect(written).toEqual({
      publicHttpsBundle: path.join(root, DEFAULT_PATHS.publicHttpsBundle),
      nodeCertBundle: path.join(root, DEFAULT_PATHS.nodeCertBundle),
      taskVerifiers: path.join(root, DEFAULT_PATHS.taskVerifiers),
    });
    expect(listFiles(root)).toEqual(
      [
        'etc/gpuaas/trust/control-plane-ca.pem',
        'etc/gpuaas/trust/node-cert-ca.pem',
        'etc/gpuaas/trust/task-signing-pubkeys.json',
      ].map((p) => path.join(...p.split('/'))),
    );
  });

  test('GIVEN a bundle WHEN materialized THEN each file holds only its own material', () => {
    const written = materializeBundle(bundle, root);
    const pub = fs.readFileSync(written.publicHttpsBundle, 'utf8');
    const node = fs.readFileSync(written.nodeCertBundle, 'utf8');
    expect(pub).toBe(m.rootNew.pem + m.rootOld.pem);
    expect(node).toBe(m.nodeIntermediate.pem + m.nodeRoot.pem);
    expect(pinMatchesAny(pub, [spkiPin(m.nodeRoot.pem), spkiPin(m.nodeIntermediate.pem)])).toBe(false);
    expect(pinMatchesAny(node, [spkiPin(m.rootNew.pem), spkiPin(m.rootOld.pem)])).toBe(false);
    expect(pinMatchesAny(pub, [spkiPin(m.rootOld.pem)])).toBe(true);
    const verifiers = fs.readFileSync(written.taskVerifiers, 'utf8');
    expect(verifiers).toBe(bundle.env.GPUAAS_TASK_SIGNING_PUBKEYS);
    expect(parseVerifierSet(verifiers)).toEqual(set);
  });

  test('GIVEN a restrictive umask WHEN materialized THEN every file is mode 0644', () => {
    const old = process.umask(0o077);
    try {
      const written = materializeBundle(bundle, root);
      for (const file of Object.values(written)) expect(fs.statSync(file).mode & 0o777).toBe(TRUST_FILE_MODE);
    } finally {
      process.umask(old);
    }
  });

  test('GIVEN files already in place WHEN materialized again THEN each is replaced by rename (a reader of the old file keeps the old content) and no temporary file remains', () => {
    const first = materializeBundle(bundle, root);
    const fd = fs.openSync(first.taskVerifiers, 'r');
    try {
      const inodeBefore = fs.fstatSync(fd).ino;
      const next = makeBundle({
        verifiers: signer.set([2, 'active']),
        roots: [{ cert: m.rootNew, state: 'current' }],
        nodePems: [m.nodeRoot.pem],
      });
      materializeBundle(next, root);
      expect(fs.statSync(first.taskVerifiers).ino).not.toBe(inodeBefore);
      expect(fs.readFileSync(fd, 'utf8')).toBe(bundle.env.GPUAAS_TASK_SIGNING_PUBKEYS);
      expect(fs.readFileSync(first.taskVerifiers, 'utf8')).toBe(next.env.GPUAAS_TASK_SIGNING_PUBKEYS);
      expect(fs.readFileSync(first.publicHttpsBundle, 'utf8')).toBe(m.rootNew.pem);
    } finally {
      fs.closeSync(fd);
    }
    expect(listFiles(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('GIVEN a bundle whose two CA paths are equal WHEN materialized THEN it is refused and nothing is written', () => {
    const same = {
      ...bundle,
      node_cert_trust: { ...bundle.node_cert_trust, path: bundle.public_https_trust.path },
      env: { ...bundle.env, GPUAAS_NODE_CERT_CA_BUNDLE_PATH: bundle.public_https_trust.path },
    };
    expect(codeOf(() => materializeBundle(same, root))).toBe(Code.INVALID_PATH);
    const sameVerifier = { ...bundle, task_verifiers: { ...bundle.task_verifiers, path: bundle.node_cert_trust.path } };
    expect(codeOf(() => materializeBundle(sameVerifier, root))).toBe(Code.INVALID_PATH);
    expect(listFiles(root)).toEqual([]);
  });

  test('GIVEN a node-cert PEM that is also a public HTTPS root WHEN materialized THEN it is refused and nothing is written', () => {
    const mixed: BootstrapBundleV1 = {
      ...bundle,
      node_cert_trust: { ...bundle.node_cert_trust, pems: [...bundle.node_cert_trust.pems, m.rootOld.pem] },
    };
    expect(codeOf(() => materializeBundle(mixed, root))).toBe(Code.MIXED_TRUST);
    expect(listFiles(root)).toEqual([]);
  });

  test('GIVEN a target directory that cannot be created WHEN materialized THEN it fails with WRITE_FAILED, renames nothing and leaves no temporary file', () => {
    fs.mkdirSync(path.join(root, 'etc', 'gpuaas'), { recursive: true });
    const other = makeBundle({
      verifiers: set,
      roots: [{ cert: m.rootNew, state: 'current' }],
      nodePems: [m.nodeRoot.pem],
      paths: { taskVerifiers: '/etc/gpuaas/blocked/pubkeys.json' },
    });
    fs.writeFileSync(path.join(root, 'etc', 'gpuaas', 'blocked'), 'a file where a directory is needed');
    expect(codeOf(() => materializeBundle(other, root))).toBe(Code.WRITE_FAILED);
    expect(listFiles(root)).toEqual([path.join('etc', 'gpuaas', 'blocked')]);
  });
});
