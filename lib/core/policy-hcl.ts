/**
 * A small reader for Vault policy text (the HCL subset policies use, and the JSON form), and a per-path diff
 * of two policies. Pure: no cdktf, no Vault.
 *
 * Read: `path "<path>" { ... }` blocks with `capabilities`, the legacy `policy = "read"` shorthand,
 * `required_parameters`, `allowed_parameters` / `denied_parameters` (as `name = { ... }` maps or as nested
 * blocks) and any other attribute (kept as canonical JSON text, for example `min_wrapping_ttl`). Comments
 * (`#`, `//`, `/* *\/`) and heredoc strings are accepted. Blocks for the same path are merged the way Vault
 * merges them: capabilities and parameter values are united.
 */
import { ErrorCode, PlatformTrustError } from './errors';

/** A policy text that cannot be read, with where and why (line and column are 1-based). */
export class PolicyTextError extends PlatformTrustError {
  constructor(
    public readonly reason: string,
    public readonly line: number,
    public readonly column: number,
    near: string,
  ) {
    super(
      ErrorCode.INVALID_PROP,
      `Cannot read the Vault policy text: ${reason} at line ${line}, column ${column}.`,
      near,
      'check the policy text: `path "<path>" { capabilities = ["read"] }` blocks, optionally with parameter maps.',
    );
  }
}

function invalidPolicyText(reason: string, line: number, column: number, near: string): PolicyTextError {
  return new PolicyTextError(reason, line, column, near);
}

/** Parameter constraints by parameter name; each value list is sorted (empty = any value). */
export type ParameterMap = Readonly<Record<string, readonly string[]>>;

/** What one path grants, after merging every block for the path. */
export interface PolicyPathRule {
  readonly path: string;
  /** Capabilities in Vault's usual order (create, read, update, patch, delete, list, sudo, deny, then others). */
  readonly capabilities: readonly string[];
  readonly requiredParameters?: readonly string[];
  readonly allowedParameters?: ParameterMap;
  readonly deniedParameters?: ParameterMap;
  /** Other attributes (for example `min_wrapping_ttl`), as canonical JSON text, by name. */
  readonly other: Readonly<Record<string, string>>;
  /** 1-based line of the first block for this path (1 for the JSON form). */
  readonly line: number;
}

/** A policy read from text: rules sorted by path. */
export interface ParsedPolicy {
  readonly rules: readonly PolicyPathRule[];
  /** Top-level names that are not `path` blocks (Vault ignores them too), sorted. */
  readonly ignored: readonly string[];
}

/** How one path differs between two policies. */
export interface PolicyPathDiff {
  readonly path: string;
  /** `added`: only after; `removed`: only before; `changed`: in both, with differences. */
  readonly change: 'added' | 'removed' | 'changed';
  /** Capabilities granted after the change (before, for a removed path). */
  readonly capabilities: readonly string[];
  readonly capabilitiesAdded: readonly string[];
  readonly capabilitiesRemoved: readonly string[];
  /** One human line per parameter or attribute difference, in a fixed order. */
  readonly details: readonly string[];
}

const CAPABILITY_ORDER = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'];

/** The capabilities of Vault's legacy `policy = "..."` shorthand. */
const LEGACY_POLICY: Readonly<Record<string, readonly string[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

/** Sorts capabilities in Vault's usual order; unknown ones after, alphabetically. Removes duplicates. */
export function sortCapabilities(caps: Iterable<string>): string[] {
  const set = new Set(caps);
  const known = CAPABILITY_ORDER.filter((c) => set.has(c));
  const unknown = [...set].filter((c) => !CAPABILITY_ORDER.includes(c)).sort();
  return [...known, ...unknown];
}

// ------------------------------------------------------------------ tokens

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

interface Tok {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (reason: string, at = i): never => {
    throw invalidPolicyText(reason, line, at - lineStart + 1, src.slice(at, at + 24));
  };
  const push = (kind: TokenKind, text: string, startLine: number, startCol: number) => {
    toks.push({ kind, text, line: startLine, column: startCol });
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated /* comment');
      for (let k = i; k < end; k++) {
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const col = i - lineStart + 1;
    const startLine = line;
    if (c === '"') {
      let out = '';
      let k = i + 1;
      for (;;) {
        if (k >= src.length || src[k] === '\n') fail('unterminated string', i);
        const ch = src[k];
        if (ch === '"') break;
        // A Terraform template sequence (`${...}`, `%{...}`) is kept verbatim, quotes inside it included.
        if ((ch === '$' || ch === '%') && src[k + 1] === '{') {
          let depth = 0;
          let j = k + 1;
          for (; j < src.length && src[j] !== '\n'; j++) {
            if (src[j] === '{') depth++;
            else if (src[j] === '}' && --depth === 0) break;
          }
          if (depth !== 0) fail('unterminated template sequence in a string', k);
          out += src.slice(k, j + 1);
          k = j + 1;
          continue;
        }
        if (ch === '\\') {
          const e = src[k + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' };
          if (e !== undefined && simple[e] !== undefined) {
            out += simple[e];
            k += 2;
            continue;
          }
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(k + 2, k + 6))) {
            out += String.fromCharCode(parseInt(src.slice(k + 2, k + 6), 16));
            k += 6;
            continue;
          }
          fail(`unknown escape "\\${e ?? ''}" in a string`, k);
        }
        out += ch;
        k++;
      }
      push('string', out, startLine, col);
      i = k + 1;
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(i));
      if (!m) fail('malformed heredoc');
      const [whole, indent, marker] = m!;
      let k = i + whole.length;
      line++;
      lineStart = k;
      const lines: string[] = [];
      for (;;) {
        if (k >= src.length) fail(`heredoc "${marker}" is not closed`, i);
        const nl = src.indexOf('\n', k);
        const raw = src.slice(k, nl < 0 ? src.length : nl).replace(/\r$/, '');
        k = nl < 0 ? src.length : nl + 1;
        if (raw.trim() === marker) break;
        lines.push(raw);
        line++;
        lineStart = k;
      }
      let body = lines;
      if (indent === '-') {
        const widths = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
        const cut = widths.length ? Math.min(...widths) : 0;
        body = lines.map((l) => l.slice(cut));
      }
      push('string', body.length ? `${body.join('\n')}\n` : '', startLine, col);
      line++;
      lineStart = k;
      i = k;
      continue;
    }
    if ('{}[]=,:'.includes(c)) {
      push('punct', c, startLine, col);
      i++;
      continue;
    }
    const num = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
    if (num) {
      push('number', num[0], startLine, col);
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(src.slice(i));
    if (id) {
      push('ident', id[0], startLine, col);
      i += id[0].length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  toks.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return toks;
}

// ------------------------------------------------------------------ syntax tree

/** A value in the policy text. Objects keep their items in order (keys may repeat). */
type Value = string | number | boolean | Value[] | ObjectValue;
interface ObjectValue {
  readonly items: Array<{ key: string; value: Value }>;
}
/** One body item: an attribute (`key = value`) or a block (`key "label" ... { body }`). */
type Item =
  | { readonly type: 'attribute'; readonly key: string; readonly value: Value; readonly at: Tok }
  | {
      readonly type: 'block';
      readonly key: string;
      readonly labels: string[];
      readonly body: Item[];
      readonly at: Tok;
    };

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  public body(end: 'eof' | '}'): Item[] {
    const items: Item[] = [];
    for (;;) {
      const t = this.peek();
      if (end === 'eof' && t.kind === 'eof') return items;
      if (end === '}' && t.kind === 'punct' && t.text === '}') return items;
      if (t.kind === 'punct' && t.text === ',') {
        this.pos++;
        continue;
      }
      items.push(this.item());
    }
  }

  private item(): Item {
    const at = this.next();
    if (at.kind !== 'ident' && at.kind !== 'string') this.fail(at, 'expected a name');
    const key = at.text;
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '=' || t.text === ':')) {
      this.pos++;
      return { type: 'attribute', key, value: this.value(), at };
    }
    const labels: string[] = [];
    while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().text);
    this.expect('{');
    const body = this.body('}');
    this.expect('}');
    return { type: 'block', key, labels, body, at };
  }

  private value(): Value {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident') {
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      return t.text;
    }
    if (t.kind === 'punct' && t.text === '[') {
      const list: Value[] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.text === ']') {
          this.pos++;
          return list;
        }
        if (p.kind === 'punct' && p.text === ',') {
          this.pos++;
          continue;
        }
        list.push(this.value());
      }
    }
    if (t.kind === 'punct' && t.text === '{') {
      const items: ObjectValue['items'] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.text === '}') {
          this.pos++;
          return { items };
        }
        if (p.kind === 'punct' && p.text === ',') {
          this.pos++;
          continue;
        }
        const k = this.next();
        if (k.kind !== 'ident' && k.kind !== 'string') this.fail(k, 'expected a key');
        const sep = this.next();
        if (sep.kind === 'punct' && (sep.text === '=' || sep.text === ':')) {
          items.push({ key: k.text, value: this.value() });
        } else if (sep.kind === 'punct' && sep.text === '{') {
          // `name { ... }` inside an object: a nested block, read as a map.
          this.pos--;
          items.push({ key: k.text, value: this.value() });
        } else {
          this.fail(sep, 'expected "=" after a key');
        }
      }
    }
    return this.fail(t, 'expected a value');
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) this.fail(t, `expected "${text}"`);
  }

  private peek(): Tok {
    return this.toks[this.pos];
  }

  private next(): Tok {
    const t = this.toks[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(t: Tok, reason: string): never {
    throw invalidPolicyText(
      `${reason}, found ${t.kind === 'eof' ? 'the end of the text' : JSON.stringify(t.text)}`,
      t.line,
      t.column,
      t.text,
    );
  }
}

// ------------------------------------------------------------------ policy model

interface MutableRule {
  line: number;
  capabilities: Set<string>;
  required?: Set<string>;
  allowed?: Map<string, Set<string>>;
  denied?: Map<string, Set<string>>;
  other: Map<string, string>;
}

function isObject(v: Value): v is ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarText(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return canonical(v);
}

function canonical(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    const sorted = [...v.items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return `{${sorted.map((i) => `${JSON.stringify(i.key)}:${canonical(i.value)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function asList(v: Value): string[] {
  return Array.isArray(v) ? v.map(scalarText) : [scalarText(v)];
}

function blockAsObject(body: Item[]): ObjectValue {
  return {
    items: body.map((i) =>
      i.type === 'attribute' ? { key: i.key, value: i.value } : { key: i.key, value: blockAsObject(i.body) },
    ),
  };
}

function mergeParams(target: Map<string, Set<string>> | undefined, v: Value): Map<string, Set<string>> {
  const m = target ?? new Map<string, Set<string>>();
  const items = isObject(v) ? v.items : [];
  for (const { key, value } of items) {
    const s = m.get(key) ?? new Set<string>();
    asList(value).forEach((x) => s.add(x));
    m.set(key, s);
  }
  return m;
}

function applyAttribute(rule: MutableRule, key: string, value: Value): void {
  switch (key) {
    case 'capabilities':
      asList(value).forEach((c) => rule.capabilities.add(c));
      return;
    case 'policy': {
      const legacy = LEGACY_POLICY[scalarText(value)];
      (legacy ?? [scalarText(value)]).forEach((c) => rule.capabilities.add(c));
      return;
    }
    case 'required_parameters':
      rule.required = rule.required ?? new Set<string>();
      asList(value).forEach((p) => rule.required!.add(p));
      return;
    case 'allowed_parameters':
      rule.allowed = mergeParams(rule.allowed, value);
      return;
    case 'denied_parameters':
      rule.denied = mergeParams(rule.denied, value);
      return;
    default: {
      const text = canonical(value);
      const prev = rule.other.get(key);
      rule.other.set(key, prev === undefined || prev === text ? text : `${prev} + ${text}`);
    }
  }
}

function paramsToRecord(m: Map<string, Set<string>> | undefined): ParameterMap | undefined {
  if (!m) return undefined;
  const out: Record<string, string[]> = {};
  for (const k of [...m.keys()].sort()) out[k] = [...m.get(k)!].sort();
  return out;
}

function jsonToValue(v: unknown): Value {
  if (Array.isArray(v)) return v.map(jsonToValue);
  if (v !== null && typeof v === 'object') {
    return {
      items: Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: jsonToValue(value) })),
    };
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

/**
 * Reads a Vault policy (HCL or JSON form). Throws a PlatformTrustError with the line and column when the
 * text cannot be read.
 */
export function parsePolicy(text: string): ParsedPolicy {
  if (typeof text !== 'string') throw invalidPolicyText('the policy is not a string', 1, 1, String(text));
  let items: Item[];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw invalidPolicyText(`invalid JSON (${(e as Error).message})`, 1, 1, trimmed.slice(0, 24));
    }
    const root = jsonToValue(json);
    const at: Tok = { kind: 'ident', text: '', line: 1, column: 1 };
    items = [];
    for (const { key, value } of isObject(root) ? root.items : []) {
      if (key === 'path' && isObject(value)) {
        for (const p of value.items) {
          const body: Item[] = (isObject(p.value) ? p.value.items : []).map((i) => ({
            type: 'attribute' as const,
            key: i.key,
            value: i.value,
            at,
          }));
          items.push({ type: 'block', key: 'path', labels: [p.key], body, at });
        }
      } else {
        items.push({ type: 'attribute', key, value, at });
      }
    }
  } else {
    items = new Parser(tokenize(text)).body('eof');
  }

  const rules = new Map<string, MutableRule>();
  const ignored = new Set<string>();
  for (const item of items) {
    if (item.key !== 'path' || item.type !== 'block') {
      ignored.add(item.key);
      continue;
    }
    if (item.labels.length !== 1) {
      throw invalidPolicyText(
        `a path block needs exactly one quoted path, found ${item.labels.length}`,
        item.at.line,
        item.at.column,
        item.labels.join(' '),
      );
    }
    const path = item.labels[0];
    const rule = rules.get(path) ?? {
      line: item.at.line,
      capabilities: new Set<string>(),
      other: new Map<string, string>(),
    };
    for (const inner of item.body) {
      if (inner.type === 'attribute') applyAttribute(rule, inner.key, inner.value);
      else applyAttribute(rule, inner.key, blockAsObject(inner.body));
    }
    rules.set(path, rule);
  }
  return {
    rules: [...rules.keys()].sort().map((path) => {
      const r = rules.get(path)!;
      const other: Record<string, string> = {};
      for (const k of [...r.other.keys()].sort()) other[k] = r.other.get(k)!;
      return {
        path,
        capabilities: sortCapabilities(r.capabilities),
        ...(r.required ? { requiredParameters: [...r.required].sort() } : {}),
        ...(r.allowed ? { allowedParameters: paramsToRecord(r.allowed) } : {}),
        ...(r.denied ? { deniedParameters: paramsToRecord(r.denied) } : {}),
        other,
        line: r.line,
      };
    }),
    ignored: [...ignored].sort(),
  };
}

function listText(values: readonly string[] | undefined): string {
  return values === undefined ? 'none' : `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

function diffParams(kind: string, before: ParameterMap | undefined, after: ParameterMap | undefined): string[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [`${kind} added: ${paramsText(after!)}`];
  if (after === undefined) return [`${kind} removed (was ${paramsText(before)})`];
  const out: string[] = [];
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const n of names) {
    const b = before[n];
    const a = after[n];
    if (b === undefined) out.push(`${kind} ${JSON.stringify(n)} added: ${listText(a)}`);
    else if (a === undefined) out.push(`${kind} ${JSON.stringify(n)} removed (was ${listText(b)})`);
    else if (listText(a) !== listText(b)) out.push(`${kind} ${JSON.stringify(n)}: ${listText(b)} → ${listText(a)}`);
  }
  return out;
}

/** Renders a parameter map on one line: `"key_version" = ["2"], "input" = []`. */
export function paramsText(m: ParameterMap): string {
  const names = Object.keys(m).sort();
  return names.length === 0 ? '{}' : names.map((n) => `${JSON.stringify(n)} = ${listText(m[n])}`).join(', ');
}

/** Describes a rule's constraints on one line each (used for added and removed paths). */
export function ruleDetails(rule: PolicyPathRule): string[] {
  const out: string[] = [];
  if (rule.requiredParameters) out.push(`required_parameters ${listText(rule.requiredParameters)}`);
  if (rule.allowedParameters) out.push(`allowed_parameters ${paramsText(rule.allowedParameters)}`);
  if (rule.deniedParameters) out.push(`denied_parameters ${paramsText(rule.deniedParameters)}`);
  for (const [k, v] of Object.entries(rule.other)) out.push(`${k} = ${v}`);
  return out;
}

/**
 * Compares two policies path by path. Paths are compared exactly (no glob matching); the result is sorted
 * by path and lists only paths that differ. `before` or `after` may be undefined (policy created or deleted).
 */
export function diffPolicies(before: ParsedPolicy | undefined, after: ParsedPolicy | undefined): PolicyPathDiff[] {
  const b = new Map((before?.rules ?? []).map((r) => [r.path, r]));
  const a = new Map((after?.rules ?? []).map((r) => [r.path, r]));
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: PolicyPathDiff[] = [];
  for (const path of paths) {
    const rb = b.get(path);
    const ra = a.get(path);
    if (!rb && ra) {
      out.push({
        path,
        change: 'added',
        capabilities: ra.capabilities,
        capabilitiesAdded: ra.capabilities,
        capabilitiesRemoved: [],
        details: ruleDetails(ra),
      });
      continue;
    }
    if (rb && !ra) {
      out.push({
        path,
        change: 'removed',
        capabilities: rb.capabilities,
        capabilitiesAdded: [],
        capabilitiesRemoved: rb.capabilities,
        details: ruleDetails(rb),
      });
      continue;
    }
    const x = rb!;
    const y = ra!;
    const added = y.capabilities.filter((c) => !x.capabilities.includes(c));
    const removed = x.capabilities.filter((c) => !y.capabilities.includes(c));
    const details: string[] = [];
    if (listText(x.requiredParameters) !== listText(y.requiredParameters)) {
      details.push(`required_parameters: ${listText(x.requiredParameters)} → ${listText(y.requiredParameters)}`);
    }
    details.push(...diffParams('allowed_parameters', x.allowedParameters, y.allowedParameters));
    details.push(...diffParams('denied_parameters', x.deniedParameters, y.deniedParameters));
    for (const k of [...new Set([...Object.keys(x.other), ...Object.keys(y.other)])].sort()) {
      if (x.other[k] !== y.other[k]) details.push(`${k}: ${x.other[k] ?? 'none'} → ${y.other[k] ?? 'none'}`);
    }
    if (added.length || removed.length || details.length) {
      out.push({
        path,
        change: 'changed',
        capabilities: y.capabilities,
        capabilitiesAdded: added,
        capabilitiesRemoved: removed,
        details,
      });
    }
  }
  return out;
}
