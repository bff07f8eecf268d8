/**
 * Reads a Vault policy (HCL or JSON form) into rules by path, accepting and refusing what Vault's policy parser
 * accepts and refuses, and merging blocks for the same path the way Vault merges them. Pure: no cdktf, no Vault.
 * test/integration/policy-reader.test.ts holds it to a real server on a corpus of texts.
 */
import { readJsonPolicy } from './private/policy-hcl-json';
import { Item, ObjectValue, Parser, Tok, Value, tokenize } from './private/policy-hcl-syntax';
import {
  CAPABILITIES,
  PATH_BLOCK_KEYS,
  durationSeconds,
  isTemplated,
  templatesBalanced,
} from './private/policy-hcl-values';
import { LEGACY_POLICY, ParameterMap, ParsedPolicy, invalidPolicyText, sortCapabilities } from './policy-hcl-types';

// ------------------------------------------------------------------ values

function isObject(v: Value): v is ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonical(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    const pairs = v.items.map((i) => [i.key, itemValue(i)] as const);
    pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${pairs.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A list element as text: strings as they are, other values as canonical JSON. */
function elementText(v: Value): string {
  return typeof v === 'string' ? v : canonical(v);
}

/** The value of a body item: an attribute's value, or a block read as an object (labels nest: `a "x" {}` is a.x). */
function itemValue(item: Item): Value {
  if (item.type === 'attribute') return item.value;
  let v: Value = { items: item.body };
  for (const label of [...item.labels].reverse())
    v = { items: [{ type: 'attribute', key: label, value: v, at: item.at }] };
  return v;
}

// ------------------------------------------------------------------ one path block

interface BlockRule {
  readonly capabilities: string[];
  readonly required?: string[];
  readonly allowed?: Map<string, string[]>;
  readonly denied?: Map<string, string[]>;
  readonly other: Map<string, string>;
}

/** Reads one path block: types first (as Vault decodes them), then the values, which `deny` exempts. */
function readBlock(path: string, body: Item[], at: Tok): BlockRule {
  const fail = (reason: string, where: Tok = at): never => {
    throw invalidPolicyText(`path "${path}": ${reason}`, where.line, where.column, where.text);
  };
  const strings = (v: Value, key: string, where: Tok): string[] => {
    if (!Array.isArray(v)) return fail(`${key} must be a list`, where);
    return v.map((x) =>
      typeof x === 'string' || typeof x === 'number' ? String(x) : fail(`${key} must hold strings`, where),
    );
  };
  const params = (v: Value, key: string, where: Tok, into: Map<string, string[]>): void => {
    if (!isObject(v)) return fail(`${key} must be a map of parameter names to lists`, where);
    for (const item of v.items) {
      const value = itemValue(item);
      if (!Array.isArray(value) && !isObject(value)) fail(`${key} "${item.key}" must be a list`, item.at);
      const values = Array.isArray(value) ? value.map(elementText) : [canonical(value)];
      const name = item.key.toLowerCase();
      into.set(name, mergeValues(into.get(name), values));
    }
  };

  let capabilities: string[] = [];
  let legacy: string | undefined;
  let required: string[] | undefined;
  let allowed: Map<string, string[]> | undefined;
  let denied: Map<string, string[]> | undefined;
  const ttl: Record<string, { value: Value; at: Tok }> = {};
  const controlGroups: Array<{ value: ObjectValue; at: Tok }> = [];
  const other = new Map<string, string>();
  for (const item of body) {
    const { key, at: where } = item;
    if (!PATH_BLOCK_KEYS.has(key)) fail(`invalid key "${key}"`, where);
    const value = itemValue(item);
    switch (key) {
      case 'capabilities':
        capabilities = [...capabilities, ...strings(value, key, where)];
        break;
      case 'policy':
        if (typeof value !== 'string' && typeof value !== 'number') fail('policy must be a string', where);
        legacy = String(value);
        break;
      case 'required_parameters':
        required = [...(required ?? []), ...strings(value, key, where)];
        break;
      case 'mfa_methods':
      case 'subscribe_event_types':
        other.set(key, canonical(strings(value, key, where)));
        break;
      case 'allowed_parameters':
        params(value, key, where, (allowed ??= new Map()));
        break;
      case 'denied_parameters':
        params(value, key, where, (denied ??= new Map()));
        break;
      case 'control_group':
        if (!isObject(value)) fail('control_group must be an object', where);
        controlGroups.push({ value: value as ObjectValue, at: where });
        other.set(key, canonical(value));
        break;
      case 'min_wrapping_ttl':
      case 'max_wrapping_ttl':
        ttl[key] = { value, at: where };
        other.set(key, canonical(value));
        break;
      default: // comment: any value
        other.set(key, canonical(value));
    }
  }

  // Values. `deny` (or the legacy `policy = "deny"`) ends the checks of the block, as in Vault.
  if (legacy !== undefined) {
    const mapped = LEGACY_POLICY[legacy];
    if (!mapped) fail(`invalid policy "${legacy}" (deny, read, write or sudo)`);
    capabilities = legacy === 'deny' ? ['deny'] : [...capabilities, ...mapped];
  }
  for (const c of capabilities) {
    if (c === 'deny') return { capabilities: ['deny'], other }; // Vault keeps no parameters on a denied path
    if (!CAPABILITIES.has(c) && !isTemplated(c)) fail(`invalid capability "${c}"`);
  }
  const seconds: Record<string, number> = {};
  for (const [key, { value, at: where }] of Object.entries(ttl)) {
    const s = typeof value === 'string' && isTemplated(value) ? 0 : durationSeconds(value);
    if (s === undefined) fail(`${key} ${canonical(value)} is not a duration`, where);
    seconds[key] = s!;
  }
  const { min_wrapping_ttl: min = 0, max_wrapping_ttl: max = 0 } = seconds;
  if (min !== 0 && max !== 0 && max < min) fail('max_wrapping_ttl is below min_wrapping_ttl');
  for (const group of controlGroups) checkControlGroup(group.value, capabilities, (r) => fail(r, group.at));
  return { capabilities, required, allowed, denied, other };
}

/** Vault's checks of a control group (an Enterprise feature): a ttl that is a duration, and at least one factor. */
function checkControlGroup(group: ObjectValue, capabilities: string[], fail: (reason: string) => never): void {
  const get = (o: Value | undefined, key: string): Value | undefined =>
    o !== undefined && isObject(o) ? o.items.filter((i) => i.key === key).map(itemValue)[0] : undefined;
  const ttl = get(group, 'ttl');
  if (ttl !== undefined && durationSeconds(ttl) === undefined) fail('control_group ttl is not a duration');
  const factors = group.items.filter((i) => i.key === 'factor').map(itemValue);
  const named = factors.flatMap((f) => (isObject(f) ? f.items.map(itemValue) : []));
  if (named.length === 0) fail('control_group has no factor');
  for (const factor of named) {
    const identity = get(factor, 'identity');
    if (identity === undefined) fail('a control_group factor has no identity');
    const approvals = get(identity, 'approvals');
    const groups = [get(identity, 'group_names'), get(identity, 'group_ids')];
    if (typeof approvals !== 'number' || approvals <= 0 || !groups.some((g) => Array.isArray(g) && g.length > 0)) {
      fail('a control_group factor needs approvals above 0 and at least one identity group');
    }
    const controlled = get(factor, 'controlled_capabilities');
    if (Array.isArray(controlled) && controlled.some((c) => !capabilities.includes(elementText(c)))) {
      fail("a control_group factor's controlled_capabilities must be among the path's capabilities");
    }
  }
}

/** Vault's merge of one parameter's values: an empty list (any value) wins, else the values are united. */
function mergeValues(a: string[] | undefined, b: string[]): string[] {
  if (a === undefined) return b;
  return a.length === 0 || b.length === 0 ? [] : [...new Set([...a, ...b])];
}

// ------------------------------------------------------------------ policy model

interface MutableRule {
  line: number;
  capabilities: Set<string>;
  required?: Set<string>;
  allowed?: Map<string, string[]>;
  denied?: Map<string, string[]>;
  other: Map<string, string>;
}

function mergeParams(into: Map<string, string[]> | undefined, add: Map<string, string[]> | undefined) {
  if (!add) return into;
  const m = into ?? new Map<string, string[]>();
  for (const [k, v] of add) m.set(k, mergeValues(m.get(k), v));
  return m;
}

function paramsToRecord(m: Map<string, string[]> | undefined): ParameterMap | undefined {
  if (!m) return undefined;
  const out: Record<string, string[]> = {};
  for (const k of [...m.keys()].sort()) out[k] = [...m.get(k)!].sort();
  return out;
}

/** The path a top-level `path` item names, as Vault reads it, and its body. */
function pathOf(item: Item): { path: string; body: Item[] } {
  const fail = (reason: string): never => {
    throw invalidPolicyText(reason, item.at.line, item.at.column, item.at.text);
  };
  // A block names its path with its first label (Vault ignores further labels); without one, the path is "path".
  let path = 'path';
  let body: Item[];
  if (item.type === 'block') {
    path = item.labels[0] ?? 'path';
    body = item.body;
  } else {
    if (!isObject(item.value)) return fail('path must be a block: path "<path>" { ... }');
    body = (item.value as ObjectValue).items;
  }
  if (path.startsWith('/')) path = path.slice(1);
  if (path.includes('+*')) fail(`path "${path}": '+*' is not a valid use of wildcards`);
  if (!templatesBalanced(path)) fail(`path "${path}": unbalanced templating characters ({{ and }})`);
  return { path, body };
}

/**
 * Reads a Vault policy (HCL or JSON form). Throws a PlatformTrustError with the line and column when Vault would
 * refuse the text. A value holding a Terraform template sequence (`${...}`) is read as it is and not checked.
 */
export function parsePolicy(text: string): ParsedPolicy {
  if (typeof text !== 'string') throw invalidPolicyText('the policy is not a string', 1, 1, String(text));
  const items = /^[ \t\r\n]*\{/.test(text) ? readJsonPolicy(text) : new Parser(tokenize(text)).document();

  const rules = new Map<string, MutableRule>();
  const ignored = new Set<string>();
  for (const item of items) {
    if (item.key === 'name') {
      const v = item.type === 'attribute' ? item.value : undefined;
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw invalidPolicyText('name must be a string', item.at.line, item.at.column, item.at.text);
      }
      ignored.add('name');
      continue;
    }
    if (item.key !== 'path') {
      throw invalidPolicyText(`invalid key "${item.key}" (path or name)`, item.at.line, item.at.column, item.key);
    }
    const { path, body } = pathOf(item);
    const block = readBlock(path, body, item.at);
    const rule: MutableRule = rules.get(path) ?? { line: item.at.line, capabilities: new Set(), other: new Map() };
    block.capabilities.forEach((c) => rule.capabilities.add(c));
    if (block.required) rule.required = new Set([...(rule.required ?? []), ...block.required]);
    rule.allowed = mergeParams(rule.allowed, block.allowed);
    rule.denied = mergeParams(rule.denied, block.denied);
    for (const [k, text] of block.other) {
      const prev = rule.other.get(k);
      rule.other.set(k, prev === undefined || prev === text ? text : `${prev} + ${text}`);
    }
    rules.set(path, rule);
  }
  return {
    rules: [...rules.keys()].sort().map((path) => {
      const r = rules.get(path)!;
      const other: Record<string, string> = {};
      for (const k of [...r.other.keys()].sort()) other[k] = r.other.get(k)!;
      const deny = r.capabilities.has('deny'); // deny overrides the path's other capabilities and parameters
      return {
        path,
        capabilities: deny ? ['deny'] : sortCapabilities(r.capabilities),
        ...(r.required && !deny ? { requiredParameters: [...r.required].sort() } : {}),
        ...(r.allowed && !deny ? { allowedParameters: paramsToRecord(r.allowed) } : {}),
        ...(r.denied && !deny ? { deniedParameters: paramsToRecord(r.denied) } : {}),
        other,
        line: r.line,
      };
    }),
    ignored: [...ignored].sort(),
  };
}
