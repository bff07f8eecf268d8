/**
 * Path rules, defined once: the grammar of the files a bundle names on a node, their distinctness, and when two
 * Vault mount paths overlap. Pure.
 */
import { Problem, problem } from './problems';

/** Longest node file path. */
export const MAX_FILE_PATH_LENGTH = 1024;

/**
 * The grammar of a node file path (the bundle schemas' `filePath`): absolute, normalized (no empty, "." or ".."
 * segment, no trailing "/"), no control character or backslash, at most 1024 characters. Each problem's message
 * reads after "the path is invalid because".
 */
export function filePathProblems(value: unknown, path: string): Problem[] {
  if (typeof value !== 'string') return [problem('file-path', path, 'it is not a string')];
  const out: Problem[] = [];
  const add = (message: string) => out.push(problem('file-path', path, message));
  if (value.length > MAX_FILE_PATH_LENGTH) add(`it is longer than ${MAX_FILE_PATH_LENGTH} characters`);
  if (!value.startsWith('/')) add('it is not absolute');
  if (value.length > 1 && value.endsWith('/')) add('it ends with "/"');
  const body = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
  const segments = body.split('/').slice(1);
  if (segments.some((s) => s === '')) add('it contains an empty segment');
  if (segments.some((s) => s === '.' || s === '..')) add('it contains a "." or ".." segment');
  if (/[\u0000-\u001f\\]/.test(value)) add('it contains a control character or a backslash');
  return out;
}

/** A problem (code `same-file`) for each file path that repeats an earlier one of `files` ([name, path] pairs). */
export function distinctFileProblems(files: ReadonlyArray<readonly [string, string]>): Problem[] {
  const out: Problem[] = [];
  files.forEach(([name, p], j) => {
    const i = files.findIndex(([, q]) => q === p);
    if (i < j) out.push(problem('same-file', name, `equals ${files[i][0]} (${p}); the files must be distinct`));
  });
  return out;
}

/** True when two Vault mount paths are the same or one nests in the other ("kv" and "kv/apps"); "/" trimmed. */
export function mountPathsOverlap(a: string, b: string): boolean {
  const x = a.replace(/^\/+|\/+$/g, '');
  const y = b.replace(/^\/+|\/+$/g, '');
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}
