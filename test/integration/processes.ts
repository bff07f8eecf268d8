/**
 * What the harness does with the server processes it starts (Vault, PostgreSQL, cluster nodes): stop one, and read
 * the end of its log for error messages.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

/** Sends `signal`, then SIGKILL if the process has not exited after `graceMs`; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  if (timer) clearTimeout(timer);
}

/** The last `lines` lines of a log file, or `missing` when it cannot be read. */
export function logTail(logPath: string, lines: number, missing: string): string {
  try {
    return fs.readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return missing;
  }
}
