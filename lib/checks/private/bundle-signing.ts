/**
 * Who signs bootstrap bundles, as the checks read it from the synthesized configuration, without parsing logical
 * ids. Pure.
 *
 * - A *sign write* is a managed `vault_generic_endpoint` (or `vault_generic_secret`) whose literal `path` is
 *   `<mount>/sign/<key>` (optionally `/<hash algorithm>`): Terraform calls transit sign during apply.
 * - A *bundle signature* is a sign write whose request (`data_json`) signs a bootstrap bundle payload: it holds
 *   a bundle payload type (the DSSE pre-authentication encoding names it).
 * - *Task keys* are the keys named by a task verifier set (format `gpuaas-task-signing-pubkeys/v1`) in the stack.
 * - *Bundle keys* are the keys named by a bundle key set (format `cdktf-platform-trust/bundle-keys/v1`), and the
 *   keys bundle signatures sign with, unless they are task keys or the signature is declared the migration
 *   signature (`"//".platform_trust_declares.bundle_signature`, see lib/core/declarations.ts).
 * - A key set names its key (`"key"`), not its mount. The mount is taken from the `<mount>/keys/<key>` read
 *   (`data.vault_generic_secret`) that the set's public keys come from, following `local.*` references; when it
 *   cannot be found, keys are matched by name alone.
 */
import { BundleSignatureRole } from '../../core/declarations';
import {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  PUBKEYS_FORMAT_V1,
} from '../../node/formats';
import { stringsContaining } from './strings';
import { CheckedElement, KnownMount, KeyRef, SignWrite } from '../types';
import { isExpression, readObject, readString, trimSlashes } from './values';

/** The schema ids of every bundle format. */
export const BUNDLE_SCHEMAS: readonly string[] = [BUNDLE_SCHEMA_V1, BUNDLE_SCHEMA_V2];

/** The DSSE payload types of every bundle format. */
export const BUNDLE_PAYLOAD_TYPES: readonly string[] = [BUNDLE_PAYLOAD_TYPE, BUNDLE_PAYLOAD_TYPE_V2];

const SIGN_PATH_RE = /^(.+)\/sign\/([^/]+)(?:\/[^/]+)?$/;

/** The strings of an element that hold a bootstrap bundle (any format), with where they are. */
export function bundleTexts(config: unknown): Array<{ where: string; text: string; schema: string }> {
  const out: Array<{ where: string; text: string; schema: string }> = [];
  for (const schema of BUNDLE_SCHEMAS) {
    for (const s of stringsContaining(config, schema)) out.push({ ...s, schema });
  }
  return out;
}

/** The sign write an element makes, or undefined (see the module comment). */
export function signWriteOf(element: CheckedElement, mounts: readonly KnownMount[] = []): SignWrite | undefined {
  if (element.kind !== 'resource') return undefined;
  if (element.type !== 'vault_generic_endpoint' && element.type !== 'vault_generic_secret') return undefined;
  const raw = element.config.path;
  if (typeof raw !== 'string') return undefined;
  const path = literalPath(raw, mounts);
  if (path === undefined) return undefined;
  const m = SIGN_PATH_RE.exec(trimSlashes(path));
  if (!m) return undefined;
  const request = typeof element.config.data_json === 'string' ? element.config.data_json : '';
  const payloadType = BUNDLE_PAYLOAD_TYPES.find((t) => request.includes(t));
  const role = readString(readObject(element.declarations)?.bundle_signature);
  return {
    address: element.address,
    mount: trimSlashes(m[1]),
    key: m[2],
    request,
    ...(payloadType !== undefined ? { bundlePayloadType: payloadType } : {}),
    ...(typeof role === 'string' ? { declaredRole: role } : {}),
    signedInput: signedInputKey(request),
  };
}

/** A path with `${vault_mount.<id>.path}` replaced by the mount's literal path; undefined when still an expression. */
function literalPath(raw: string, mounts: readonly KnownMount[]): string | undefined {
  const path = raw.replace(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.path\}/g, (whole, address: string) => {
    const m = mounts.find((k) => k.address === address);
    return m ? (m.attributePath ?? m.path) : whole;
  });
  return isExpression(path) ? undefined : path;
}

/**
 * What a sign request signs, so that two signatures over the same payload compare equal: for an expression, the
 * `local.*` references it makes (the bundle it signs); for literal JSON, the `input` value; otherwise the text
 * without its `key_version`.
 */
export function signedInputKey(request: string): string {
  if (isExpression(request)) {
    const refs = [...new Set(request.match(/\blocal\.[A-Za-z0-9_-]+/g) ?? [])].sort();
    if (refs.length > 0) return `refs:${refs.join(',')}`;
  } else {
    try {
      const input = readObject(JSON.parse(request))?.input;
      if (typeof input === 'string') return `input:${input}`;
    } catch {
      // Not JSON: fall through.
    }
  }
  return `text:${request.replace(/"key_version"\s*[:=]\s*"?[0-9]*"?/g, '')}`;
}

/** True when the two refer to the same key: same name, and the same mount when both mounts are known. */
export function sameKey(a: { key: string; mount?: string }, b: { key: string; mount?: string }): boolean {
  return a.key === b.key && (a.mount === undefined || b.mount === undefined || a.mount === b.mount);
}

/** `"<mount>/keys/<key>"` (or `"<key>"`) for details. */
export function keyLabel(k: { key: string; mount?: string }): string {
  return JSON.stringify(k.mount !== undefined ? `${k.mount}/keys/${k.key}` : k.key);
}

/** The keys the key sets of `format` name, with their mounts when found, from every element of a stack. */
export function keySetRefs(elements: readonly CheckedElement[], format: string, what: string): KeyRef[] {
  const locals = new Map<string, string>();
  const reads = new Map<string, string>();
  for (const e of elements) {
    if (e.kind === 'local' && typeof e.config.value === 'string') locals.set(e.address, e.config.value);
    if (e.kind === 'data' && e.type === 'vault_generic_secret' && typeof e.config.path === 'string') {
      reads.set(e.address, e.config.path);
    }
  }
  const out: KeyRef[] = [];
  for (const e of elements) {
    for (const { text } of stringsContaining(e.config, format)) {
      for (const key of keyNamesIn(text, format)) {
        const mounts = readMounts(text, key, locals, reads);
        const mount = mounts.length === 1 ? mounts[0] : undefined;
        if (out.some((k) => k.key === key && k.mount === mount)) continue;
        out.push({ key, ...(mount !== undefined ? { mount } : {}), evidence: `the ${what} in ${e.address} names it` });
      }
    }
  }
  return out;
}

/** The `key` of every set of `format` in a text: the JSON itself, or a `jsonencode({...})` expression. */
function keyNamesIn(text: string, format: string): string[] {
  if (!isExpression(text)) {
    try {
      const names: string[] = [];
      walkObjects(JSON.parse(text), (o) => {
        if (o.format === format && typeof o.key === 'string') names.push(o.key);
      });
      return names;
    } catch {
      // Not JSON: read it as an expression below.
    }
  }
  // A set names its key once ("key"); its entries carry "kid", never "key".
  return [...text.matchAll(/"key"\s*[=:]\s*"([^"$%]+)"/g)].map((m) => m[1]);
}

function walkObjects(value: unknown, visit: (o: Readonly<Record<string, unknown>>) => void, depth = 0): void {
  if (depth > 32) return;
  if (Array.isArray(value)) value.forEach((v) => walkObjects(v, visit, depth + 1));
  const o = readObject(value);
  if (!o) return;
  visit(o);
  Object.values(o).forEach((v) => walkObjects(v, visit, depth + 1));
}

/** Mounts of the `<mount>/keys/<key>` reads a text reaches through `local.*` references. */
function readMounts(
  text: string,
  key: string,
  locals: ReadonlyMap<string, string>,
  reads: ReadonlyMap<string, string>,
): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  let frontier = [text];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const m of t.matchAll(/\bdata\.vault_generic_secret\.([A-Za-z0-9_-]+)/g)) {
        const path = reads.get(`data.vault_generic_secret.${m[1]}`);
        const km = path !== undefined && !isExpression(path) ? /^(.+)\/keys\/([^/]+)$/.exec(trimSlashes(path)) : null;
        if (km && km[2] === key) found.add(trimSlashes(km[1]));
      }
      for (const m of t.matchAll(/\blocal\.([A-Za-z0-9_-]+)/g)) {
        const address = `local.${m[1]}`;
        if (seen.has(address)) continue;
        seen.add(address);
        const value = locals.get(address);
        if (value !== undefined) next.push(value);
      }
    }
    frontier = next;
  }
  return [...found];
}

/** Task keys: the keys task verifier sets name. */
export function taskKeyRefs(elements: readonly CheckedElement[]): KeyRef[] {
  return keySetRefs(elements, PUBKEYS_FORMAT_V1, 'task verifier set');
}

/**
 * Bundle keys: the keys bundle key sets name, and the keys bundle signatures sign with unless they are task keys
 * or the signature is declared the migration signature.
 */
export function bundleKeyRefs(
  elements: readonly CheckedElement[],
  bundleSignatures: readonly SignWrite[],
  taskKeys: readonly KeyRef[],
): KeyRef[] {
  const out = keySetRefs(elements, BUNDLE_KEYS_FORMAT_V1, 'bundle key set');
  for (const s of bundleSignatures) {
    if (s.declaredRole === BundleSignatureRole.MIGRATION_FROM_V1) continue;
    if (taskKeys.some((t) => sameKey(t, s))) continue;
    if (out.some((k) => k.key === s.key && k.mount === s.mount)) continue;
    out.push({ key: s.key, mount: s.mount, evidence: `${s.address} signs a bundle with it` });
  }
  return out;
}
