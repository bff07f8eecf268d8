/**
 * Reads a Vault policy (HCL or JSON form) into rules by path, merging blocks for the same path the way Vault
 * merges them. Pure: no cdktf, no Vault.
 */
import { Item, ObjectValue, Parser, Tok, Value, tokenize } from './private/policy-hcl-syntax';
import { LEGACY_POLICY, ParameterMap, ParsedPolicy, invalidPolicyText, sortCapabilities } from './policy-hcl-types';

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
