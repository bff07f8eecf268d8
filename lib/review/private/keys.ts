/**
 * Transit signing keys: rotation resources (from the stack manifest; without one, by their `RotateToV<n>` id),
 * floors (`<mount>/keys/<name>/config`), the latest
 * version before and after, and the version the policies let the control plane sign with. Internal to lib/review.
 */
import type { Floors, KeyRotation, RotationStep } from '../explanation';
import { WarningKind } from '../explanation';
import { attrs, isUnknown, jsonValue, str, wholeNumber } from '../plan-json';
import { ElementRole } from '../manifest';
import { Context, Entry, byString, unique } from './context';
import { entryAt } from './manifest-read';
import { PolicyTexts, signingVersions } from './policies';

const ROTATE_RE = /^(.+)\/keys\/([^/]+)\/rotate$/;
const CONFIG_RE = /^(.+)\/keys\/([^/]+)\/config$/;
const ROTATE_ID_RE = /RotateToV([0-9]+)(?![0-9])/;

/**
 * A rotation endpoint of a transit key: what the manifest says, or, for a plan without one, a `RotateToV<n>`
 * logical id (the fallback heuristic).
 */
function isRotation(ctx: Context, e: Entry): boolean {
  if (ctx.manifest) return entryAt(ctx.manifest, e.address)?.role === ElementRole.KEY_ROTATION;
  return e.type === 'vault_generic_endpoint' && ROTATE_ID_RE.test(e.address);
}

/** The version a rotation creates: from the manifest, or (without one) from its `RotateToV<n>` id. */
function rotationVersion(ctx: Context, e: Entry): number | undefined {
  if (ctx.manifest) return entryAt(ctx.manifest, e.address)?.version;
  const m = ROTATE_ID_RE.exec(e.address);
  return m ? Number(m[1]) : undefined;
}

/**
 * Fallback for a plan without a manifest: the construct a resource belongs to, from its logical id
 * (`<type>.<construct>_<part>_<hash>`): for a rotation the name before `_RotateToV<n>`, for a transit key the name
 * without its hash and its `Key` part (the engine drops that part when the construct id already ends with it).
 */
function constructOf(e: Entry): string | undefined {
  const name = e.address.slice(e.address.indexOf('.') + 1);
  if (ROTATE_ID_RE.test(name)) {
    const m = ROTATE_ID_RE.exec(name);
    return m ? name.slice(0, m.index).replace(/_$/, '') : undefined;
  }
  return name.replace(/_[0-9A-F]{8}$/, '').replace(/_Key$/, '');
}

function endpointPath(e: Entry): string | undefined {
  return str(e.after, 'path') ?? str(e.before, 'path');
}

function floorsOf(v: Record<string, unknown> | undefined): Floors | undefined {
  const o = attrs(jsonValue(v?.data_json));
  const d = wholeNumber(o?.min_decryption_version);
  const n = wholeNumber(o?.min_encryption_version);
  return d !== undefined && n !== undefined ? { minDecryptionVersion: d, minEncryptionVersion: n } : undefined;
}

/**
 * Every transit key with what the plan does to it: rotation resources, floors, the signing version the policies
 * pin. Groups the transit key and the `<mount>/keys/<name>/rotate|config` endpoints by key path.
 */
export function explainKeys(ctx: Context, policyTexts: PolicyTexts): KeyRotation[] {
  const groups = new Map<string, { mount: string; key: string; parts: Entry[] }>();
  const add = (mount: string, key: string, e: Entry) => {
    const keyPath = `${mount}/keys/${key}`;
    const g = groups.get(keyPath) ?? { mount, key, parts: [] };
    g.parts.push(e);
    groups.set(keyPath, g);
  };
  // A rotation's path is unknown in the plan when its key is created in the same apply (it depends on the key's
  // latest version): it is grouped with the key whose construct it belongs to.
  const keysByConstruct = new Map<string, { mount: string; key: string }>();
  const pendingRotations: Entry[] = [];
  for (const e of ctx.managed) {
    if (e.type === 'vault_transit_secret_backend_key') {
      const v = e.after ?? e.before;
      const backend = str(v, 'backend');
      const name = str(v, 'name');
      if (backend && name) {
        add(backend, name, e);
        const owner = constructOf(e);
        if (owner) keysByConstruct.set(owner, { mount: backend, key: name });
      }
    } else if (e.type === 'vault_generic_endpoint') {
      const p = endpointPath(e);
      const m = p ? (ROTATE_RE.exec(p) ?? CONFIG_RE.exec(p)) : null;
      if (m) add(m[1], m[2], e);
      else if (p === undefined && isRotation(ctx, e)) pendingRotations.push(e);
    }
  }
  for (const e of pendingRotations) {
    // The manifest names the rotation's key; without one, the key of the construct its logical id names.
    const declared = entryAt(ctx.manifest, e.address);
    if (declared?.mount !== undefined && declared.name !== undefined) {
      add(declared.mount, declared.name, e);
      continue;
    }
    if (ctx.manifest) continue;
    const owner = constructOf(e);
    const key = owner !== undefined ? keysByConstruct.get(owner) : undefined;
    if (key) add(key.mount, key.key, e);
  }
  const versionOf = (p: Entry) => rotationVersion(ctx, p);
  const known = (xs: Array<number | undefined>) => xs.filter((n): n is number => n !== undefined);

  const out: KeyRotation[] = [];
  for (const [keyPath, g] of [...groups.entries()].sort(([a], [b]) => byString(a, b))) {
    const keyEntry = g.parts.find((p) => p.type === 'vault_transit_secret_backend_key');
    // The key itself has no path: only endpoints match below.
    const rotationEntries = g.parts.filter((p) => isRotation(ctx, p) || ROTATE_RE.test(endpointPath(p) ?? ''));
    const floorsEntry = g.parts.find((p) => !rotationEntries.includes(p) && CONFIG_RE.test(endpointPath(p) ?? ''));
    const rotations: RotationStep[] = rotationEntries
      .filter((p) => p.kind !== 'no-op')
      .map((p) => ({
        address: p.address,
        action: p.kind,
        ...(versionOf(p) !== undefined ? { version: versionOf(p) } : {}),
        // A create that writes the key's config instead of rotating: Vault already has that version.
        ...(p.kind === 'create' && CONFIG_RE.test(str(p.after, 'path') ?? '') ? { adopts: true } : {}),
      }))
      .sort((a, b) => (a.version ?? 0) - (b.version ?? 0) || byString(a.address, b.address));
    const versionsBefore = known(rotationEntries.filter((p) => p.before).map(versionOf));
    const versionsAfter = known(rotationEntries.filter((p) => p.after).map(versionOf));
    const existsBefore = keyEntry ? !!keyEntry.before : versionsBefore.length > 0;
    const existsAfter = keyEntry ? keyEntry.kind !== 'delete' : true;
    // Before: Vault's latest version from the refreshed state. After: the version the configuration declares.
    const latestBefore = existsBefore
      ? (wholeNumber(keyEntry?.before?.latest_version) ?? Math.max(1, ...versionsBefore))
      : undefined;
    const latestAfter = existsAfter ? Math.max(1, ...versionsAfter) : undefined;
    const floors = floorsEntry ? explainFloors(ctx, keyPath, floorsEntry) : undefined;

    for (const r of rotations) {
      if (r.action !== 'delete' && r.action !== 'replace') continue;
      const v = r.version !== undefined ? `v${r.version}` : 'a version';
      const down = latestBefore !== undefined && latestAfter !== undefined ? ` (${latestBefore} → ${latestAfter})` : '';
      ctx.warnings.push({
        kind: WarningKind.ROTATION_DESTROYED,
        subject: r.address,
        message:
          r.action === 'delete'
            ? `the rotation to ${v} of \`${keyPath}\` is removed from the configuration: the key version in code goes down${down}. Vault keeps ${v}; restore the version in code (to roll back, set activeVersion instead).`
            : `the rotation to ${v} of \`${keyPath}\` runs again: Vault will create one more key version than the configuration expects.`,
      });
    }

    const signPath = `${g.mount}/sign/${g.key}`;
    const signBefore = unique(policyTexts.flatMap((p) => signingVersions(p.before, signPath)));
    const signAfter = unique(policyTexts.flatMap((p) => signingVersions(p.after, signPath)));
    out.push({
      keyPath,
      mount: g.mount,
      key: g.key,
      ...(keyEntry ? { keyAction: keyEntry.kind } : {}),
      ...(latestBefore !== undefined ? { latestBefore } : {}),
      ...(latestAfter !== undefined ? { latestAfter } : {}),
      rotations,
      ...(floors ? { floors } : {}),
      ...(signBefore.length || signAfter.length ? { signing: { before: signBefore, after: signAfter } } : {}),
    });
  }
  return out;
}

/** The floors before and after, with a warning for each floor that goes down. */
function explainFloors(ctx: Context, keyPath: string, e: Entry): NonNullable<KeyRotation['floors']> {
  const fb = floorsOf(e.before);
  const fa = e.rc && isUnknown(e.rc.change, 'data_json') ? undefined : floorsOf(e.after);
  if (fb && fa && fa.minEncryptionVersion < fb.minEncryptionVersion) {
    ctx.warnings.push({
      kind: WarningKind.FLOOR_DOWN,
      subject: e.address,
      message: `min_encryption_version of \`${keyPath}\` goes down ${fb.minEncryptionVersion} → ${fa.minEncryptionVersion}: the control plane will sign with an older version (a rollback: check that v${fa.minEncryptionVersion} is still in the verifier set).`,
    });
  }
  if (fb && fa && fa.minDecryptionVersion < fb.minDecryptionVersion) {
    ctx.warnings.push({
      kind: WarningKind.FLOOR_DOWN,
      subject: e.address,
      message: `min_decryption_version of \`${keyPath}\` goes down ${fb.minDecryptionVersion} → ${fa.minDecryptionVersion}: Vault accepts a retired version again.`,
    });
  }
  return { address: e.address, action: e.kind, ...(fb ? { before: fb } : {}), ...(fa ? { after: fa } : {}) };
}
