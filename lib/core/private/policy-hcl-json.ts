/**
 * The JSON form of a Vault policy, read into the same syntax tree as HCL, the way HCL v1's JSON parser reads it
 * for Vault: keys may repeat (every occurrence is kept), and an object whose members are all objects is
 * flattened into labels (`{"path": {"a": {...}}}` is the block `path "a" {...}`), as is a list of objects
 * (`{"path": [{"a": {...}}, {"b": {...}}]}` is two blocks). A member whose value is null is left out (unset).
 * Internal to lib/core.
 */
import { invalidPolicyText } from '../policy-hcl-types';
import { Item, ObjectValue, Tok, Value, numberValue, tokenize } from './policy-hcl-syntax';

type Json = string | number | boolean | null | Json[] | JsonObject;
interface JsonObject {
  readonly entries: Array<{ key: string; value: Json; at: Tok }>;
}

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the JSON form into body items. The text must be one JSON object and nothing after it. */
export function readJsonPolicy(text: string): Item[] {
  const toks = tokenize(text, 'json');
  let pos = 0;
  const fail = (t: Tok, reason: string): never => {
    throw invalidPolicyText(
      `invalid JSON: ${reason}, found ${t.kind === 'eof' ? 'the end of the text' : JSON.stringify(t.text)}`,
      t.line,
      t.column,
      t.text,
    );
  };
  const next = (): Tok => {
    const t = toks[pos];
    if (t.kind !== 'eof') pos++;
    return t;
  };
  const peekIs = (text: string) => toks[pos].kind === 'punct' && toks[pos].text === text;
  const value = (): Json => {
    const t = next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return numberValue(t, fail);
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'ident' && t.text === 'null') return null;
    if (t.kind === 'punct' && (t.text === '[' || t.text === '{')) {
      const close = t.text === '[' ? ']' : '}';
      const list: Json[] = [];
      const entries: JsonObject['entries'] = [];
      if (peekIs(close)) {
        next();
      } else {
        for (;;) {
          if (close === ']') list.push(value());
          else {
            const k = next();
            if (k.kind !== 'string') fail(k, 'expected a quoted key');
            const sep = next();
            if (!(sep.kind === 'punct' && sep.text === ':')) fail(sep, 'expected ":"');
            entries.push({ key: k.text, value: value(), at: k });
          }
          const sep = next();
          if (sep.kind === 'punct' && sep.text === close) break;
          if (!(sep.kind === 'punct' && sep.text === ',')) fail(sep, `expected "," or "${close}"`);
        }
      }
      return close === ']' ? list : { entries };
    }
    return fail(t, 'expected a value');
  };
  const first = toks[0];
  const root = value();
  if (!isObject(root)) fail(first, 'the policy must be a JSON object');
  if (toks[pos].kind !== 'eof') fail(toks[pos], 'expected the end of the text');
  return itemsOf(root as JsonObject);
}

/** Body items of an object, flattened as HCL v1's JSON parser flattens them. */
function itemsOf(obj: JsonObject): Item[] {
  const items: Item[] = [];
  const expand = (keys: string[], value: Json, at: Tok) => {
    if (isObject(value) && value.entries.length > 0 && value.entries.every((e) => isObject(e.value))) {
      for (const e of value.entries) expand([...keys, e.key], e.value, at);
    } else if (Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      for (const v of value) expand(keys, v, at);
    } else if (keys.length > 1) {
      items.push({ type: 'block', key: keys[0], labels: keys.slice(1), body: itemsOf(value as JsonObject), at });
    } else {
      items.push({ type: 'attribute', key: keys[0], value: toValue(value), at });
    }
  };
  for (const e of obj.entries) if (e.value !== null) expand([e.key], e.value, e.at);
  return items;
}

function toValue(v: Json): Value {
  if (v === null) throw invalidPolicyText('invalid JSON: null inside a list', 1, 1, 'null');
  if (Array.isArray(v)) return v.map(toValue);
  if (isObject(v)) return { items: itemsOf(v) } satisfies ObjectValue;
  return v;
}
