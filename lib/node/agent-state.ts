/**
 * What a node agent keeps across restarts: the envelope it accepted last (so its sequence, its bundle keys and its
 * roots) and the ETag it was served with. One JSON file, written atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { validateBundle } from './bundle';
import { parseEnvelope } from './dsse';
import { NodeTrustError, NodeTrustErrorCode as Code, describeError } from './errors';
import type { BootstrapBundle } from './formats';

/** Format id of the agent's state file. */
export const AGENT_STATE_FORMAT_V1 = 'cdktf-platform-trust/agent-state/v1';

/** File name of the state under the agent's state directory. */
export const AGENT_STATE_FILE = 'bundle-state.json';

/** The held state. */
export interface AgentState {
  /** The accepted envelope, exactly as served. */
  readonly envelope: string;
  /** The bundle it carries (validated, frozen). */
  readonly bundle: BootstrapBundle;
  /** The ETag it was served with, for conditional requests. */
  readonly etag?: string;
  /** When it was accepted (ISO 8601 UTC). */
  readonly acceptedAt: string;
}

/**
 * Reads the state from `dir`, or undefined when there is none. The state directory is as trusted as the trust files
 * the agent writes (both are the agent's own), so the bundle is validated but its signature is not checked again.
 * Throws a {@link NodeTrustError} (MALFORMED, or the bundle's own code) when the file exists but is not a valid
 * state: an agent never silently starts over from enrolment.
 */
export function readAgentState(dir: string): AgentState | undefined {
  const file = path.join(dir, AGENT_STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NodeTrustError(Code.MALFORMED, file, `cannot be read (${describeError(e)})`, file);
  }
  let value: { format?: unknown; envelope?: unknown; etag?: unknown; accepted_at?: unknown } | null;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NodeTrustError(Code.MALFORMED, file, 'is not JSON', file, 'remove the file and enrol the node again');
  }
  if (value?.format !== AGENT_STATE_FORMAT_V1 || typeof value.envelope !== 'string') {
    throw new NodeTrustError(Code.MALFORMED, file, `is not an agent state (${AGENT_STATE_FORMAT_V1})`, file);
  }
  const envelope = parseEnvelope(value.envelope);
  const bundle = validateBundle(JSON.parse(envelope.payload.toString('utf8')));
  return {
    envelope: value.envelope,
    bundle,
    etag: typeof value.etag === 'string' ? value.etag : undefined,
    acceptedAt: String(value.accepted_at),
  };
}

/** Writes the state to `dir` atomically (temporary file, fsync, rename, fsync of the directory). */
export function writeAgentState(dir: string, state: Omit<AgentState, 'bundle'>): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, AGENT_STATE_FILE);
  const tmp = path.join(dir, `.${AGENT_STATE_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const text = JSON.stringify({
    format: AGENT_STATE_FORMAT_V1,
    envelope: state.envelope,
    ...(state.etag !== undefined ? { etag: state.etag } : {}),
    accepted_at: state.acceptedAt,
  });
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, text, 'utf8');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } catch {
      // some platforms cannot fsync a directory; the rename itself is still atomic
    } finally {
      fs.closeSync(dfd);
    }
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new NodeTrustError(
      Code.WRITE_FAILED,
      'stateDir',
      `writing the agent state failed (${describeError(e)})`,
      dir,
    );
  }
}
