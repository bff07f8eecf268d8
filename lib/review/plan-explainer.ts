/**
 * Plan explainer: reads the JSON of `tofu show -json <planfile>` for a platform trust stack and says what a
 * reviewer needs to know: key rotations, the verifier set before and after, CA and pin changes, policy changes
 * per path, the bundle sequence, and a loud warning for anything destructive or any version going down.
 *
 * Pure and deterministic (no clock, no environment, sorted output). It never prints secret values: it reads
 * only versions, states, dates, names, paths, policy text, public certificates and public key ids.
 *
 * Plan JSON it reads: `resource_changes[]` (`address`, `mode`, `type`, `change.actions`, `change.before`,
 * `change.after`, `change.after_unknown`, `change.replace_paths`, `action_reason`), `output_changes`
 * (`actions`, `before`, `after`, `after_unknown`), `prior_state.values.root_module` (unchanged resources),
 * `configuration.root_module.resources[].expressions.*.references` (to name an issuer that is unknown until
 * apply), `format_version` and `terraform_version`. Resource attributes: `vault_generic_endpoint` `path`,
 * `data_json`, `disable_delete`; `vault_transit_secret_backend_key` `backend`, `name`, `latest_version`;
 * `vault_policy` `name`, `policy`; `vault_pki_secret_backend_root_cert` `backend`, `issuer_name`, `issuer_id`,
 * `common_name`, `key_type`, `key_bits`, `certificate`; `vault_pki_secret_backend_config_issuers` `backend`,
 * `default`; `vault_kv_secret_v2` `custom_metadata[0].data`, `metadata.custom_metadata`, `data_json`; names
 * (`path`, `name`, `role_name`, `mount`) of anything deleted or replaced.
 */
import { BUNDLE_SCHEMA_V1, PUBKEYS_FORMAT_V1 } from '../node/formats';
import { certificateFacts } from './certificate-facts';
import { invalidPlanJson } from './errors';
import {
  BundleChange,
  BundleRootsChange,
  CaChanges,
  DefaultIssuerChange,
  Explanation,
  Floors,
  IssuerChange,
  KeyRotation,
  OutputLine,
  PlanSummary,
  PlanWarning,
  PolicyChange,
  ResourceLine,
  RotationStep,
  RootView,
  VerifierSetChange,
  VerifierView,
  WarningKind,
} from './explanation';
import {
  ActionKind,
  PlanChange,
  PlanJson,
  PlanResourceChange,
  actionKind,
  attrs,
  checkPlanJson,
  isUnknown,
  jsonValue,
  priorResources,
  str,
  wholeNumber,
} from './plan-json';
import { ParsedPolicy, diffPolicies, parsePolicy } from '../core/policy-hcl';

export * from './explanation';
export type { RenderOptions } from './render-markdown';
export { renderMarkdown } from './render-markdown';

// ------------------------------------------------------------------ helpers

interface Entry {
  readonly rc?: PlanResourceChange;
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly kind: ActionKind;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const unique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

function entries(plan: PlanJson): Entry[] {
  const out = new Map<string, Entry>();
  for (const rc of plan.resource_changes ?? []) {
    const kind = actionKind(rc.change.actions);
    out.set(rc.address, {
      rc,
      address: rc.address,
      type: rc.type,
      mode: rc.mode ?? (rc.address.startsWith('data.') ? 'data' : 'managed'),
      kind,
      before: attrs(rc.change.before),
      after: kind === 'delete' ? undefined : attrs(rc.change.after),
    });
  }
  // Resources absent from resource_changes are unchanged: read them from the prior state.
  for (const [address, r] of priorResources(plan)) {
    if (out.has(address)) continue;
    out.set(address, {
      address,
      type: r.type,
      mode: r.mode ?? 'managed',
      kind: 'no-op',
      before: r.values,
      after: r.values,
    });
  }
  return [...out.values()].sort((a, b) => byString(a.address, b.address));
}

const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: 'an argument that cannot change in place changed',
  replace_because_tainted: 'the object is tainted',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count/for_each changed',
  delete_because_count_index: 'count index no longer exists',
  delete_because_each_key: 'for_each key no longer exists',
  delete_because_no_move_target: 'moved target no longer exists',
  read_because_config_unknown: 'its arguments are known only at apply',
  read_because_dependency_pending: 'a dependency has changes',
  read_because_check_nested: 'read for a check block',
};

function why(rc: PlanResourceChange | undefined): string | undefined {
  if (!rc) return undefined;
  const parts: string[] = [];
  if (rc.action_reason) parts.push(REASONS[rc.action_reason] ?? rc.action_reason);
  const paths = (rc.change.replace_paths ?? []).map((p) => p.join('.')).sort();
  if (paths.length) parts.push(`forced by ${paths.join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}

const NAME_ATTRIBUTES = ['name', 'role_name', 'issuer_name', 'path'];

/** For a replacement that changes a name: `; the new one is <name>`. */
function renamed(e: Entry): string {
  if (e.kind !== 'replace') return '';
  for (const k of NAME_ATTRIBUTES) {
    const b = str(e.before, k);
    const a = str(e.after, k);
    if (b !== undefined && a !== undefined && a !== b) return `; the new one is named \`${a}\``;
  }
  return '';
}

/** What deleting (or replacing) a resource means in Vault, in one phrase. */
function destroyMeaning(e: Entry, replace: boolean): string {
  const v = e.before ?? {};
  const s = (k: string) => str(v, k) ?? '?';
  switch (e.type) {
    case 'vault_mount':
      return `mount \`${s('path')}\` (type ${s('type')}) is disabled: everything stored in it (secrets, keys, certificates) is deleted`;
    case 'vault_auth_backend':
      return `auth mount \`${s('path')}\` is disabled: its roles are deleted and logins through it stop working`;
    case 'vault_transit_secret_backend_key':
      return `transit key \`${s('backend')}/keys/${s('name')}\` is ${replace ? 'deleted and created again as a new key (version 1, new public keys)' : 'deleted'}: every version is lost and nodes reject tasks signed by the new key until they get a new verifier set`;
    case 'vault_pki_secret_backend_root_cert':
      return `root issuer \`${s('issuer_name')}\` in \`${s('backend')}\` is ${replace ? 'replaced by a new root with a new key (new pin)' : 'deleted with its key'}`;
    case 'vault_pki_secret_backend_intermediate_set_signed':
    case 'vault_pki_secret_backend_root_sign_intermediate':
    case 'vault_pki_secret_backend_intermediate_cert_request':
      return `intermediate CA material in \`${s('backend')}\` is ${replace ? 're-issued' : 'removed'}`;
    case 'vault_pki_secret_backend_config_issuers':
      return `the default-issuer configuration of \`${s('backend')}\` is ${replace ? 'written again' : 'removed'}`;
    case 'vault_pki_secret_backend_role':
      return `PKI role \`${s('name')}\` in \`${s('backend')}\` is ${replace ? 're-created' : 'deleted'}`;
    case 'vault_policy':
      return `policy \`${s('name')}\` is ${replace ? 're-created' : 'deleted: tokens that hold it lose its grants'}`;
    case 'vault_approle_auth_backend_role':
      return `AppRole role \`${s('role_name')}\` in \`${s('backend')}\` is ${replace ? 're-created with a new role_id: existing secret_ids stop working' : 'deleted: the control plane can no longer log in with it'}`;
    case 'vault_kv_secret_v2':
      return `secret \`${s('mount')}/${s('name')}\` is ${replace ? 'written again as a new secret' : 'deleted'}`;
    case 'vault_kv_secret_backend_v2':
      return `the KV settings of \`${s('mount')}\` are ${replace ? 'written again' : 'removed'}`;
    case 'vault_generic_endpoint':
      return `endpoint \`${s('path')}\`${v.disable_delete === true ? ' (disable_delete: no call to Vault on destroy)' : ''}`;
    case 'vault_audit':
      return `audit device \`${s('path')}\` is ${replace ? 're-created' : 'disabled: requests stop being logged to it'}`;
    default:
      return `a ${e.type}`;
  }
}

const ROTATE_RE = /^(.+)\/keys\/([^/]+)\/rotate$/;
const CONFIG_RE = /^(.+)\/keys\/([^/]+)\/config$/;
const ROTATE_ID_RE = /RotateToV([0-9]+)(?![0-9])/;

/** A `RotateToV<n>` endpoint of a task signing key (by its logical id). */
function isRotation(e: Entry): boolean {
  return e.type === 'vault_generic_endpoint' && ROTATE_ID_RE.test(e.address);
}

/**
 * The construct a resource belongs to, from its logical id (`<type>.<construct>_<part>_<hash>`): for a rotation
 * the name before `_RotateToV<n>`, for a transit key the name without its hash and its `Key` part (the engine
 * drops that part when the construct id already ends with it).
 */
function constructOf(e: Entry): string | undefined {
  const name = e.address.slice(e.address.indexOf('.') + 1);
  if (isRotation(e)) {
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

function isVerifierSet(v: unknown): v is { key?: unknown; keys: unknown[] } {
  const o = attrs(v);
  return !!o && o.format === PUBKEYS_FORMAT_V1 && Array.isArray(o.keys);
}

function isBundle(v: unknown): v is Record<string, unknown> {
  const o = attrs(v);
  return !!o && o.schema === BUNDLE_SCHEMA_V1;
}

function verifierViews(set: { keys: unknown[] }): VerifierView[] {
  return set.keys
    .map((k) => attrs(k))
    .filter((k): k is Record<string, unknown> => !!k && wholeNumber(k.version) !== undefined)
    .map((k) => ({
      version: wholeNumber(k.version)!,
      state: typeof k.state === 'string' ? k.state : '?',
      ...(typeof k.until === 'string' ? { until: k.until } : {}),
      ...(typeof k.kid === 'string' ? { kid: k.kid } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

function publicKeys(set: { keys: unknown[] }): Map<number, string> {
  const m = new Map<number, string>();
  for (const k of set.keys) {
    const o = attrs(k);
    const v = wholeNumber(o?.version);
    if (v !== undefined && typeof o?.public_key === 'string') m.set(v, o.public_key);
  }
  return m;
}

/** An output's value as an object (JSON text is parsed), or undefined when absent or unknown. */
function outputSide(change: PlanChange, side: 'before' | 'after'): unknown {
  if (side === 'after' && (isUnknown(change) || change.after === undefined || change.after === null)) return undefined;
  const v = side === 'before' ? change.before : change.after;
  return v === null || v === undefined ? undefined : jsonValue(v);
}

function parseSafely(text: unknown): { policy?: ParsedPolicy; problem?: string } {
  if (typeof text !== 'string') return {};
  try {
    return { policy: parsePolicy(text) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

function signingVersions(policy: ParsedPolicy | undefined, signPath: string): number[] {
  const rule = policy?.rules.find((r) => r.path === signPath);
  const values = rule?.allowedParameters?.key_version ?? [];
  return values.map(wholeNumber).filter((n): n is number => n !== undefined);
}

/** References of an argument in the configuration section (to name what an unknown value will be). */
function configReferences(plan: PlanJson, address: string, argument: string): string[] {
  const root = attrs(attrs(plan.configuration)?.root_module);
  const resources = Array.isArray(root?.resources) ? (root!.resources as unknown[]) : [];
  const base = address.replace(/\[[^\]]*\]$/, '');
  for (const r of resources) {
    const o = attrs(r);
    if (o?.address !== base) continue;
    const expr = attrs(attrs(o.expressions)?.[argument]);
    return Array.isArray(expr?.references)
      ? (expr!.references as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
  }
  return [];
}

// ------------------------------------------------------------------ explainPlan

/** What every step reads: the plan, its resources (changes and unchanged prior state) and its outputs. */
interface Context {
  readonly plan: PlanJson;
  readonly all: readonly Entry[];
  readonly managed: readonly Entry[];
  readonly byAddress: ReadonlyMap<string, Entry>;
  readonly outputs: ReadonlyArray<[string, PlanChange]>;
  readonly warnings: PlanWarning[];
}

/**
 * Explains a plan. `planJson` is the parsed JSON of `tofu show -json <planfile>` (or its text).
 * Throws a PlatformTrustError when the input is not plan JSON.
 */
export function explainPlan(planJson: unknown): Explanation {
  const plan = checkPlanJson(typeof planJson === 'string' ? parseText(planJson) : planJson);
  const all = entries(plan);
  const ctx: Context = {
    plan,
    all,
    managed: all.filter((e) => e.mode !== 'data'),
    byAddress: new Map(all.map((e) => [e.address, e])),
    outputs: Object.entries(plan.output_changes ?? {}).sort(([a], [b]) => byString(a, b)),
    warnings: [],
  };
  const summary = summarize(ctx);
  const { policies, texts } = explainPolicies(ctx);
  const allKeys = explainKeys(ctx, texts);
  const keys = allKeys.filter(
    (k) =>
      (k.keyAction !== undefined && k.keyAction !== 'no-op') ||
      k.rotations.length > 0 ||
      (k.floors !== undefined && k.floors.action !== 'no-op') ||
      (k.signing !== undefined && k.signing.before.join() !== k.signing.after.join()),
  );
  const verifierSets = explainVerifierSets(ctx, allKeys);
  const ca = explainCa(ctx);
  const bundles = explainBundles(ctx);
  const resources: ResourceLine[] = all
    .filter((e) => e.rc && (e.mode === 'data' ? e.kind === 'read' : e.kind !== 'no-op'))
    .map((e) => {
      const w = why(e.rc);
      return { address: e.address, type: e.type, action: e.kind, ...(w ? { why: w } : {}) };
    });
  const outputs: OutputLine[] = ctx.outputs
    .filter(([, c]) => actionKind(c.actions) !== 'no-op')
    .map(([name, c]) => ({ name, action: actionKind(c.actions), afterKnown: !isUnknown(c) }));
  const warnings = [...ctx.warnings].sort(
    (a, b) =>
      WARNING_ORDER.indexOf(a.kind) - WARNING_ORDER.indexOf(b.kind) ||
      byString(a.subject, b.subject) ||
      byString(a.message, b.message),
  );
  return {
    ...(plan.format_version ? { formatVersion: plan.format_version } : {}),
    ...(plan.terraform_version ? { engineVersion: plan.terraform_version } : {}),
    summary,
    warnings,
    keys,
    verifierSets,
    ca,
    policies,
    bundles,
    resources,
    outputs,
  };
}

/** Order of the warning section: destructive first, then versions going down. */
const WARNING_ORDER: readonly WarningKind[] = [
  WarningKind.DELETE,
  WarningKind.REPLACE,
  WarningKind.ROTATION_DESTROYED,
  WarningKind.FLOOR_DOWN,
  WarningKind.SEQUENCE_DOWN,
  WarningKind.PUBLIC_KEY_CHANGED,
];

/** Counts managed changes as the engine does, and warns about every delete and replace. */
function summarize(ctx: Context): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let forget = 0;
  for (const e of ctx.managed) {
    if (e.kind === 'create' || e.kind === 'replace') add++;
    if (e.kind === 'delete' || e.kind === 'replace') destroy++;
    if (e.kind === 'update') change++;
    if (e.kind === 'forget') forget++;
    if (e.kind === 'delete' || e.kind === 'replace') {
      const reason = why(e.rc);
      ctx.warnings.push({
        kind: e.kind === 'delete' ? WarningKind.DELETE : WarningKind.REPLACE,
        subject: e.address,
        message: `${destroyMeaning(e, e.kind === 'replace')}${renamed(e)}${reason ? ` (${reason})` : ''}.`,
      });
    }
  }
  return {
    add,
    change,
    destroy,
    forget,
    text: `Plan: ${add} to add, ${change} to change, ${destroy} to destroy${forget ? `, ${forget} to forget` : ''}.`,
  };
}

/** Per-path differences of every changed policy; also returns every policy's texts (for the signing version). */
function explainPolicies(ctx: Context): {
  policies: PolicyChange[];
  texts: Array<{ before?: ParsedPolicy; after?: ParsedPolicy }>;
} {
  const policies: PolicyChange[] = [];
  const texts: Array<{ before?: ParsedPolicy; after?: ParsedPolicy }> = [];
  for (const e of ctx.managed.filter((x) => x.type === 'vault_policy')) {
    const before = parseSafely(e.before?.policy);
    const afterUnknown = !!e.rc && isUnknown(e.rc.change, 'policy');
    const after = afterUnknown ? {} : parseSafely(e.after?.policy);
    texts.push({ before: before.policy, after: after.policy });
    if (e.kind === 'no-op') continue;
    const problem = afterUnknown ? 'the new policy text is known only after apply' : (before.problem ?? after.problem);
    const nameBefore = str(e.before, 'name');
    const nameAfter = str(e.after, 'name');
    policies.push({
      address: e.address,
      ...((nameAfter ?? nameBefore) !== undefined ? { name: nameAfter ?? nameBefore } : {}),
      ...(nameBefore !== undefined && nameAfter !== undefined && nameBefore !== nameAfter
        ? { previousName: nameBefore }
        : {}),
      action: e.kind,
      paths: problem ? [] : diffPolicies(before.policy, after.policy),
      ...(problem ? { problem } : {}),
    });
  }
  return { policies, texts };
}

/**
 * Every transit key with what the plan does to it: rotation resources, floors, the signing version the policies
 * pin. Groups the transit key and the `<mount>/keys/<name>/rotate|config` endpoints by key path.
 */
function explainKeys(ctx: Context, policyTexts: Array<{ before?: ParsedPolicy; after?: ParsedPolicy }>): KeyRotation[] {
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
      else if (p === undefined && isRotation(e)) pendingRotations.push(e);
    }
  }
  for (const e of pendingRotations) {
    const owner = constructOf(e);
    const key = owner !== undefined ? keysByConstruct.get(owner) : undefined;
    if (key) add(key.mount, key.key, e);
  }
  const versionOf = (p: Entry) => {
    const m = ROTATE_ID_RE.exec(p.address);
    return m ? Number(m[1]) : undefined;
  };
  const known = (xs: Array<number | undefined>) => xs.filter((n): n is number => n !== undefined);

  const out: KeyRotation[] = [];
  for (const [keyPath, g] of [...groups.entries()].sort(([a], [b]) => byString(a, b))) {
    const keyEntry = g.parts.find((p) => p.type === 'vault_transit_secret_backend_key');
    // The key itself has no path: only endpoints match below.
    const rotationEntries = g.parts.filter((p) => isRotation(p) || ROTATE_RE.test(endpointPath(p) ?? ''));
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

/**
 * Verifier set outputs (recognised by their format id, or by "pubkeys" in the name) that change. When the new
 * value is unknown in the plan, the states come from a schedule output if there is one, else from the floors and
 * rotation resources (grace end dates are then unknown).
 */
function explainVerifierSets(ctx: Context, keys: readonly KeyRotation[]): VerifierSetChange[] {
  const schedules = ctx.outputs
    .map(([, c]) => attrs(outputSide(c, 'after')))
    .filter((o): o is Record<string, unknown> => !!o && typeof o.key === 'string' && Array.isArray(o.versions));
  const out: VerifierSetChange[] = [];
  for (const [name, c] of ctx.outputs) {
    const kind = actionKind(c.actions);
    const before = outputSide(c, 'before');
    const after = outputSide(c, 'after');
    if (kind === 'no-op' || !(isVerifierSet(before) || isVerifierSet(after) || /pubkeys/i.test(name))) continue;
    const keyName =
      (isVerifierSet(before) && typeof before.key === 'string' ? before.key : undefined) ??
      (isVerifierSet(after) && typeof after.key === 'string' ? after.key : undefined) ??
      (keys.length === 1 ? keys[0].key : undefined);
    let afterViews: VerifierView[] | undefined;
    let afterSource: VerifierSetChange['afterSource'] = 'none';
    let derivedFrom: VerifierSetChange['derivedFrom'];
    const schedule = schedules.find((s) => s.key === keyName);
    const key = keys.find((k) => k.key === keyName);
    if (isVerifierSet(after)) {
      afterViews = verifierViews(after);
      afterSource = 'output';
      if (isVerifierSet(before)) warnChangedPublicKeys(ctx, name, keyName, before, after);
    } else if (kind !== 'delete' && schedule) {
      afterViews = scheduleViews(schedule.versions as unknown[]);
      afterSource = 'schedule';
    } else if (kind !== 'delete' && key?.floors?.after && key.latestAfter !== undefined) {
      derivedFrom = { floors: key.floors.after, latest: key.latestAfter };
      afterViews = deriveVerifierSet(derivedFrom.floors, derivedFrom.latest);
      afterSource = 'derived';
    }
    out.push({
      output: name,
      ...(keyName ? { key: keyName } : {}),
      action: kind,
      ...(isVerifierSet(before) ? { before: verifierViews(before) } : {}),
      ...(afterViews ? { after: afterViews } : {}),
      afterSource,
      ...(derivedFrom ? { derivedFrom } : {}),
    });
  }
  return out;
}

/**
 * The verifier set the schedule model gives for these floors: versions below the signing floor are grace (their
 * end dates live in code), the signing floor is active, and the latest version above it is next.
 */
function deriveVerifierSet(f: Floors, latest: number): VerifierView[] {
  const views: VerifierView[] = [];
  for (let v = f.minDecryptionVersion; v <= latest; v++) {
    if (v < f.minEncryptionVersion) views.push({ version: v, state: 'grace', untilUnknown: true });
    else if (v === f.minEncryptionVersion) views.push({ version: v, state: 'active' });
    else if (v === latest) views.push({ version: v, state: 'next' });
  }
  return views;
}

function scheduleViews(versions: unknown[]): VerifierView[] {
  return versions
    .map((x) => attrs(x))
    .filter((x): x is Record<string, unknown> => !!x && wholeNumber(x.version) !== undefined)
    .map((x) => ({
      version: wholeNumber(x.version)!,
      state: typeof x.state === 'string' ? x.state : '?',
      ...(typeof x.until === 'string' ? { until: x.until } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

function warnChangedPublicKeys(
  ctx: Context,
  output: string,
  keyName: string | undefined,
  before: { keys: unknown[] },
  after: { keys: unknown[] },
): void {
  const pb = publicKeys(before);
  for (const [v, pk] of publicKeys(after)) {
    if (pb.has(v) && pb.get(v) !== pk) {
      ctx.warnings.push({
        kind: WarningKind.PUBLIC_KEY_CHANGED,
        subject: output,
        message: `version ${v} of \`${keyName ?? '?'}\` has a different public key after this plan: the key was replaced, and nodes reject tasks signed by the old key material.`,
      });
    }
  }
}

/** Root issuers that change, default-issuer changes (named, not ids), and the bundle's roots with their pins. */
function explainCa(ctx: Context): CaChanges {
  const issuerNames = new Map<string, string>();
  for (const e of ctx.all) {
    if (e.type !== 'vault_pki_secret_backend_root_cert' && e.type !== 'vault_pki_secret_backend_issuer') continue;
    for (const v of [e.before, e.after]) {
      const id = str(v, 'issuer_id');
      const n = str(v, 'issuer_name');
      if (id && n) issuerNames.set(id, n);
    }
  }
  const issuers: IssuerChange[] = [];
  for (const e of ctx.managed.filter((x) => x.type === 'vault_pki_secret_backend_root_cert' && x.kind !== 'no-op')) {
    const v = e.after ?? e.before;
    const keyType = str(v, 'key_type');
    const bits = wholeNumber(v?.key_bits);
    const beforeFacts = certificateFacts(e.before?.certificate);
    const afterFacts =
      e.after && !(e.rc && isUnknown(e.rc.change, 'certificate')) ? certificateFacts(e.after.certificate) : undefined;
    const backend = str(v, 'backend');
    const issuerName = str(v, 'issuer_name');
    const commonName = str(v, 'common_name');
    issuers.push({
      address: e.address,
      action: e.kind,
      ...(backend ? { backend } : {}),
      ...(issuerName ? { issuerName } : {}),
      ...(commonName ? { commonName } : {}),
      ...(keyType ? { keyType: bits ? `${keyType}-${bits}` : keyType } : {}),
      ...(beforeFacts ? { before: beforeFacts } : {}),
      ...(afterFacts ? { after: afterFacts } : {}),
    });
  }
  const defaultIssuers: DefaultIssuerChange[] = [];
  const nameOf = (id: string | undefined) => (id === undefined ? undefined : (issuerNames.get(id) ?? id));
  for (const e of ctx.managed.filter(
    (x) => x.type === 'vault_pki_secret_backend_config_issuers' && x.kind !== 'no-op',
  )) {
    const before = nameOf(str(e.before, 'default'));
    let after = e.rc && isUnknown(e.rc.change, 'default') ? undefined : nameOf(str(e.after, 'default'));
    if (after === undefined && e.after) {
      // Unknown until apply: name the issuer the configuration points at.
      const ref = configReferences(ctx.plan, e.address, 'default').find((r) => /\.issuer_id$/.test(r));
      const target = ref ? ctx.byAddress.get(ref.replace(/\.issuer_id$/, '')) : undefined;
      const n = str(target?.after, 'issuer_name');
      if (n) after = `${n} (new issuer)`;
    }
    if (e.kind === 'update' && before === after) continue;
    const backend = str(e.after ?? e.before, 'backend');
    defaultIssuers.push({
      address: e.address,
      action: e.kind,
      ...(backend ? { backend } : {}),
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    });
  }
  const bundleRoots = bundleOutputs(ctx)
    .map(([name, c]) => explainBundleRoots(ctx, name, c, issuers, defaultIssuers))
    .filter((r): r is BundleRootsChange => r !== undefined);
  return { issuers, defaultIssuers, bundleRoots };
}

/** Outputs that hold a bootstrap bundle (by schema id, or the stack's output name). */
function bundleOutputs(ctx: Context): Array<[string, PlanChange]> {
  return ctx.outputs.filter(
    ([name, c]) => isBundle(outputSide(c, 'before')) || isBundle(outputSide(c, 'after')) || name === 'bootstrap_bundle',
  );
}

function rootViews(bundle: unknown): RootView[] | undefined {
  if (!isBundle(bundle)) return undefined;
  const roots = attrs(bundle.public_https_trust)?.roots;
  return (Array.isArray(roots) ? roots : []).map((r) => {
    const o = attrs(r) ?? {};
    const facts = certificateFacts(o.pem);
    return {
      state: typeof o.state === 'string' ? o.state : '?',
      ...(typeof o.until === 'string' ? { until: o.until } : {}),
      ...(facts ? { facts } : {}),
    };
  });
}

function nodeCertPins(bundle: unknown): string[] | undefined {
  if (!isBundle(bundle)) return undefined;
  const pems = attrs(bundle.node_cert_trust)?.pems;
  return (Array.isArray(pems) ? pems : []).map((p) => certificateFacts(p)?.pin ?? '?');
}

function explainBundleRoots(
  ctx: Context,
  name: string,
  c: PlanChange,
  issuers: readonly IssuerChange[],
  defaultIssuers: readonly DefaultIssuerChange[],
): BundleRootsChange | undefined {
  if (actionKind(c.actions) === 'no-op') return undefined;
  const rb = rootViews(outputSide(c, 'before'));
  const ra = rootViews(outputSide(c, 'after'));
  const nb = nodeCertPins(outputSide(c, 'before'));
  const na = nodeCertPins(outputSide(c, 'after'));
  const nodePinsChanged =
    !!nb && (na === undefined ? isUnknown(c) && nodeCaChanges(ctx.managed, nb) : nb.join() !== na.join());
  const expected: string[] = [];
  if (!ra) {
    for (const i of issuers.filter((x) => x.action === 'create' || x.action === 'replace')) {
      const d = defaultIssuers.find((x) => x.backend === i.backend);
      const becomesDefault = !!d?.after && i.issuerName !== undefined && d.after.startsWith(i.issuerName);
      expected.push(
        `\`${i.issuerName ?? i.address}\` (in \`${i.backend ?? '?'}\`) joins the bundle as \`${becomesDefault ? 'current' : 'next'}\`${becomesDefault ? ': it also becomes the default issuer' : ': the default issuer does not change'}.`,
      );
    }
  }
  if (rb && ra && JSON.stringify(rb) === JSON.stringify(ra) && !nodePinsChanged) return undefined;
  // Unknown after, and nothing in the plan touches a root: the roots are expected to stay as they are.
  if (!ra && !expected.length && !issuers.length && !defaultIssuers.length && !nodePinsChanged) return undefined;
  if (!rb && !ra && !expected.length) return undefined;
  return {
    output: name,
    ...(rb ? { before: rb } : {}),
    ...(ra ? { after: ra } : {}),
    ...(nodePinsChanged && nb ? { nodeCertPins: { before: nb, ...(na ? { after: na } : {}) } } : {}),
    expected,
  };
}

/** True when the plan changes the node-cert CA chain: an intermediate, or a root whose pin is in the chain. */
function nodeCaChanges(managed: readonly Entry[], chainPins: readonly string[]): boolean {
  return managed.some((e) => {
    if (e.kind === 'no-op') return false;
    if (
      e.type === 'vault_pki_secret_backend_root_sign_intermediate' ||
      e.type === 'vault_pki_secret_backend_intermediate_set_signed'
    ) {
      return true;
    }
    const pin =
      e.type === 'vault_pki_secret_backend_root_cert' ? certificateFacts(e.before?.certificate)?.pin : undefined;
    return pin !== undefined && chainPins.includes(pin);
  });
}

/**
 * The published bundle secret's sequence, before and after: the KV v2 secret whose custom metadata holds
 * `sequence` and `inputs_sha256` (or whose data holds `envelope` and `sequence`).
 */
function explainBundles(ctx: Context): BundleChange[] {
  const sequenceIn = (o: Record<string, unknown> | undefined, marker: string) =>
    o && marker in o ? wholeNumber(o.sequence) : undefined;
  // The published sequence, as Vault holds it: the custom metadata read back by the refresh.
  const publishedSeq = (v: Record<string, unknown> | undefined) =>
    sequenceIn(attrs(jsonValue(attrs(v?.metadata)?.custom_metadata)), 'inputs_sha256');
  // The sequence the configuration writes: custom metadata (known at plan time), else the data itself.
  const writtenSeq = (v: Record<string, unknown> | undefined, dataUnknown: boolean) => {
    const custom = Array.isArray(v?.custom_metadata) ? attrs(attrs(v!.custom_metadata[0])?.data) : undefined;
    return (
      sequenceIn(custom, 'inputs_sha256') ??
      (dataUnknown ? undefined : sequenceIn(attrs(jsonValue(v?.data_json)), 'envelope')) ??
      sequenceIn(attrs(v?.data), 'envelope')
    );
  };
  const seqOf = (v: Record<string, unknown> | undefined) => publishedSeq(v) ?? writtenSeq(v, false);
  const sequenceOutput = ctx.outputs.find(([n]) => n === 'bootstrap_bundle_sequence')?.[1];
  const [bundleOutput] = bundleOutputs(ctx);
  const outSeq = (side: 'before' | 'after') => {
    const direct = sequenceOutput ? wholeNumber(outputSide(sequenceOutput, side)) : undefined;
    if (direct !== undefined) return direct;
    const b = bundleOutput ? outputSide(bundleOutput[1], side) : undefined;
    return isBundle(b) ? wholeNumber(b.sequence) : undefined;
  };
  // The inputs digest (known at plan time) changes whenever the code changes what the bundle says.
  const digestOf = (o: Record<string, unknown> | undefined) =>
    o && typeof o.inputs_sha256 === 'string' ? o.inputs_sha256 : undefined;
  const digestChanged = (e: Entry): boolean => {
    const published = digestOf(attrs(jsonValue(attrs(e.before?.metadata)?.custom_metadata)));
    const custom = Array.isArray(e.after?.custom_metadata)
      ? attrs(attrs(e.after!.custom_metadata[0])?.data)
      : undefined;
    const written = digestOf(custom);
    return published !== undefined && written !== undefined && published !== written;
  };
  const contentChanged = (): boolean | 'unknown' => {
    const b = bundleOutput ? outputSide(bundleOutput[1], 'before') : undefined;
    const a = bundleOutput ? outputSide(bundleOutput[1], 'after') : undefined;
    if (!isBundle(b) || !isBundle(a)) return 'unknown';
    const withoutSequence = (x: Record<string, unknown>) => JSON.stringify({ ...x, sequence: 0 });
    return withoutSequence(b) !== withoutSequence(a);
  };

  const secrets = ctx.managed.filter(
    (e) =>
      e.type === 'vault_kv_secret_v2' &&
      (seqOf(e.before) !== undefined ||
        seqOf(e.after) !== undefined ||
        (!!e.rc && /Bundle/.test(e.address) && isUnknown(e.rc.change, 'data_json'))),
  );
  const single = secrets.length === 1;
  const bundles: BundleChange[] = [];
  for (const e of secrets.filter((x) => x.kind !== 'no-op')) {
    const unknownAfter = !!e.rc && isUnknown(e.rc.change, 'data_json');
    const before = seqOf(e.before) ?? (single ? outSeq('before') : undefined);
    const after = writtenSeq(e.after, unknownAfter) ?? (single ? outSeq('after') : undefined);
    bundles.push({
      subject: e.address,
      action: e.kind,
      ...(before !== undefined ? { sequenceBefore: before } : {}),
      ...(after !== undefined && e.kind !== 'delete' ? { sequenceAfter: after } : {}),
      contentChanged: digestChanged(e) || (single ? contentChanged() : 'unknown'),
    });
  }
  if (secrets.length === 0 && bundleOutput && actionKind(bundleOutput[1].actions) !== 'no-op') {
    const before = outSeq('before');
    const after = outSeq('after');
    bundles.push({
      subject: bundleOutput[0],
      action: actionKind(bundleOutput[1].actions),
      ...(before !== undefined ? { sequenceBefore: before } : {}),
      ...(after !== undefined ? { sequenceAfter: after } : {}),
      contentChanged: contentChanged(),
    });
  }
  for (const b of bundles) {
    if (b.sequenceBefore !== undefined && b.sequenceAfter !== undefined && b.sequenceAfter < b.sequenceBefore) {
      ctx.warnings.push({
        kind: WarningKind.SEQUENCE_DOWN,
        subject: b.subject,
        message: `the bootstrap bundle sequence goes down ${b.sequenceBefore} → ${b.sequenceAfter}: nodes refuse a bundle whose sequence does not go up. Set it to ${b.sequenceBefore + 1}.`,
      });
    }
  }
  return bundles;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidPlanJson(`it is not valid JSON (${(e as Error).message})`, text.slice(0, 40));
  }
}
