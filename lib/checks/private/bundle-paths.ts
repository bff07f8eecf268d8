/**
 * Finds the node file paths a bootstrap bundle declares, in any form a stack may carry them: the bundle object
 * (`public_https_trust.path`, `node_cert_trust.path`, `task_verifiers.path`), the environment names
 * (`GPUAAS_CA_BUNDLE_PATH`, `GPUAAS_NODE_CERT_CA_BUNDLE_PATH`), as JSON objects, JSON text, HCL expressions
 * (`jsonencode({...})`) or env-file lines. Values that are expressions are ignored. Pure.
 */
import { BUNDLE_FILES, BundleFile } from '../../kernel/formats';
import { isExpression } from './values';

/** The three files a node writes; they must differ (invariant 5). Declared with the wire formats. */
export type { BundleFile } from '../../kernel/formats';

/** Literal paths found for each file, with where each was found. */
export type BundlePathsFound = Record<BundleFile, Map<string, string>>;

// Where the wire format names each file (lib/kernel/formats.ts).
const ENV_NAMES: ReadonlyArray<[BundleFile, string]> = BUNDLE_FILES.flatMap((f) =>
  f.env ? [[f.file, f.env] as [BundleFile, string]] : [],
);
const BUNDLE_FIELDS: ReadonlyArray<[BundleFile, string]> = BUNDLE_FILES.map((f) => [f.file, f.field]);

/** Collects every literal bundle path in a JSON value. */
export function findBundlePaths(value: unknown): BundlePathsFound {
  const found: BundlePathsFound = {
    publicHttpsBundle: new Map(),
    nodeCertBundle: new Map(),
    taskVerifiers: new Map(),
  };
  walk(value, found, 0);
  return found;
}

function add(found: BundlePathsFound, file: BundleFile, value: unknown, where: string): void {
  if (typeof value !== 'string' || value === '' || isExpression(value)) return;
  if (!found[file].has(value)) found[file].set(value, where);
}

function walk(value: unknown, found: BundlePathsFound, depth: number): void {
  if (depth > 50) return;
  if (typeof value === 'string') {
    scanText(value, found, depth);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, found, depth + 1));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const [file, name] of ENV_NAMES) add(found, file, obj[name], name);
  for (const [file, field] of BUNDLE_FIELDS) {
    const inner = obj[field];
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      add(found, file, (inner as Record<string, unknown>).path, `${field}.path`);
    }
  }
  for (const v of Object.values(obj)) walk(v, found, depth + 1);
}

const QUOTED_VALUE = String.raw`(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"',;}\]\)]+))`;

function scanText(text: string, found: BundlePathsFound, depth: number): void {
  const looksJson = /^\s*[{[]/.test(text);
  if (looksJson) {
    try {
      walk(JSON.parse(text), found, depth + 1);
      return;
    } catch {
      // Not JSON (an HCL expression, for example): read it as text below.
    }
  }
  for (const [file, name] of ENV_NAMES) {
    if (!text.includes(name)) continue;
    const re = new RegExp(String.raw`(?<![A-Za-z0-9_])${name}["']?\s*[:=]\s*${QUOTED_VALUE}`, 'g');
    for (const m of text.matchAll(re)) add(found, file, valueOf(m), name);
  }
  for (const [file, field] of BUNDLE_FIELDS) {
    if (!text.includes(field)) continue;
    const re = new RegExp(
      String.raw`(?<![A-Za-z0-9_])${field}["']?\s*[:=]\s*\{\s*["']?path["']?\s*[:=]\s*${QUOTED_VALUE}`,
      'g',
    );
    for (const m of text.matchAll(re)) add(found, file, valueOf(m), `${field}.path`);
  }
}

/** The matched value: a quoted string (unescaped), or an unquoted word that looks like a file path. */
function valueOf(m: RegExpMatchArray): string | undefined {
  if (m[1] !== undefined) return m[1].replace(/\\(.)/g, '$1');
  if (m[2] !== undefined) return m[2];
  // Unquoted: a file path ("/etc/x.pem"), not a reference such as local.ca_path.
  return m[3] !== undefined && /^(\/|\.\/|~)/.test(m[3]) ? m[3] : undefined;
}
