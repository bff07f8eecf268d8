/**
 * Writes a verified bundle's three trust files on a node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { analyseBundle } from './bundle';
import { NodeTrustError, NodeTrustErrorCode as Code, describeError } from './errors';
import type { BootstrapBundle } from './formats';

/** The files written by {@link materializeBundle} (absolute paths under `rootDir`). */
export interface MaterializedBundle {
  /** Control-plane HTTPS trust: the root PEMs, concatenated (GPUAAS_CA_BUNDLE_PATH). */
  readonly publicHttpsBundle: string;
  /** Node-cert CA bundle: `node_cert_trust.pems`, concatenated (GPUAAS_NODE_CERT_CA_BUNDLE_PATH). */
  readonly nodeCertBundle: string;
  /** Task verifier set, compact JSON exactly as GPUAAS_TASK_SIGNING_PUBKEYS. */
  readonly taskVerifiers: string;
}

/** File mode of every written file. */
export const TRUST_FILE_MODE = 0o644;

/**
 * Writes the three files of a bundle (format v1 or v2) under `rootDir` + each absolute bundle path (`rootDir`
 * is `/` on a node; tests pass a temporary directory):
 * - the public HTTPS bundle: the control-plane root PEMs only, in bundle order;
 * - the node-cert bundle: `node_cert_trust.pems`;
 * - the verifier file: `renderVerifierSet(task_verifiers.set)` (no trailing newline).
 * A v2 bundle's `bundle_keys` are not written: the node keeps them with the bundle it holds, to check the next
 * bundle, and no task is ever verified under them.
 * Validates the bundle first (see `validateBundle`): throws a `NodeTrustError` when two paths are
 * equal (INVALID_PATH) or a node-cert certificate is also a public root or shares its key
 * (MIXED_TRUST), so the two CA bundles never mix. Each file is written atomically: a temporary file
 * in the same directory (mode 0644), fsync, rename over the target, then fsync of the directory.
 * All three temporary files are written before the first rename. Missing directories are created
 * (mode 0755). Throws WRITE_FAILED (with the cause) if the file system refuses.
 */
export function materializeBundle(bundle: BootstrapBundle, rootDir: string): MaterializedBundle {
  const b = analyseBundle(bundle).bundle;
  const root = path.resolve(rootDir);
  const target = (p: string) => path.join(root, ...p.split('/').filter(Boolean));
  const files: [keyof MaterializedBundle, string, string][] = [
    ['publicHttpsBundle', target(b.public_https_trust.path), joinPems(b.public_https_trust.roots.map((r) => r.pem))],
    ['nodeCertBundle', target(b.node_cert_trust.path), joinPems(b.node_cert_trust.pems)],
    ['taskVerifiers', target(b.task_verifiers.path), b.env.GPUAAS_TASK_SIGNING_PUBKEYS],
  ];
  const staged: { tmp: string; dest: string }[] = [];
  try {
    for (const [, dest, content] of files) staged.push({ tmp: writeTemp(dest, content), dest });
    for (const { tmp, dest } of staged) {
      fs.renameSync(tmp, dest);
      syncDir(path.dirname(dest));
    }
  } catch (e) {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    throw new NodeTrustError(
      Code.WRITE_FAILED,
      'rootDir',
      `writing the trust files failed (${describeError(e)})`,
      rootDir,
    );
  }
  return { publicHttpsBundle: files[0][1], nodeCertBundle: files[1][1], taskVerifiers: files[2][1] };
}

function joinPems(pems: readonly string[]): string {
  return pems.map((p) => `${p.trim()}\n`).join('');
}

function writeTemp(dest: string, content: string): string {
  const dir = path.dirname(dest);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', TRUST_FILE_MODE);
  try {
    fs.fchmodSync(fd, TRUST_FILE_MODE); // the umask may have narrowed the mode at creation
    fs.writeFileSync(fd, content, 'utf8');
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return tmp;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a directory; the rename itself is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
