/**
 * Which synthesized elements a rule applies to, as checkov's `supported_resources` says it: every rule lists
 * selectors and the engine runs the rule on matching elements only. Pure; no cdktf import.
 *
 * A selector is written the way Terraform addresses the element, without its name:
 * - `vault_policy`: managed resources of that type; `vault_pki_secret_backend_*` a type prefix; `*` every resource;
 * - `data.vault_policy_document`: data sources of that type; `data.*` every data source;
 * - `local`: every local value; `output`: every output.
 */
import { CheckedElement } from './types';

/** Every managed resource, whatever its type. */
export const ANY_RESOURCE = '*';
/** Every data source, whatever its type. */
export const ANY_DATA_SOURCE = 'data.*';
/** Every local value. */
export const LOCALS = 'local';
/** Every output. */
export const OUTPUTS = 'output';
/** Every element of a stack: resources, data sources, locals and outputs. */
export const ALL_ELEMENTS: readonly string[] = Object.freeze([ANY_RESOURCE, ANY_DATA_SOURCE, LOCALS, OUTPUTS]);

/** The selector text of one element: `vault_policy`, `data.vault_transit_sign`, `local` or `output`. */
export function selectorOf(element: Pick<CheckedElement, 'kind' | 'type'>): string {
  switch (element.kind) {
    case 'resource':
      return element.type;
    case 'data':
      return `data.${element.type}`;
    case 'local':
      return LOCALS;
    default:
      return OUTPUTS;
  }
}

/** True when one of `selectors` selects `element`. */
export function selects(selectors: readonly string[], element: Pick<CheckedElement, 'kind' | 'type'>): boolean {
  const own = selectorOf(element);
  return selectors.some((s) => matches(s, own, element.kind));
}

function matches(selector: string, own: string, kind: CheckedElement['kind']): boolean {
  if (selector === ANY_RESOURCE) return kind === 'resource';
  if (selector === ANY_DATA_SOURCE) return kind === 'data';
  if (selector.endsWith('*')) {
    const prefix = selector.slice(0, -1);
    // A resource type prefix never matches a data source, local or output (their selectors have a ".").
    return own.startsWith(prefix) && (kind === 'resource') === !prefix.startsWith('data.');
  }
  return selector === own;
}

/** True when the selectors cover every element of any stack. */
export function selectsEverything(selectors: readonly string[]): boolean {
  return ALL_ELEMENTS.every((s) => selectors.includes(s));
}

/**
 * Problems with a rule's selectors (empty list, blanks, unknown forms), for the engine to refuse a pack with.
 */
export function selectorProblems(selectors: readonly string[] | undefined): string[] {
  if (!Array.isArray(selectors) || selectors.length === 0) return ['it lists no resource types'];
  const out: string[] = [];
  for (const s of selectors) {
    if (typeof s !== 'string' || !/^(?:\*|data\.\*|local|output|(?:data\.)?[a-z][a-z0-9_]*\*?)$/.test(s)) {
      out.push(
        `${JSON.stringify(s)} is not a selector (a Terraform type, "data.<type>", "*", "data.*", "local" or "output")`,
      );
    }
  }
  return out;
}

/**
 * The synthesized stack JSON a stack rule sees: the whole JSON when the rule selects every element; otherwise
 * `resource`, `data`, `locals` and `output` hold only the selected elements (other blocks, such as `provider`,
 * `terraform` and `//`, stay).
 */
export function selectedJson(
  json: Readonly<Record<string, unknown>>,
  selectors: readonly string[],
): Readonly<Record<string, unknown>> {
  if (selectsEverything(selectors)) return json;
  const out: Record<string, unknown> = {};
  for (const [block, value] of Object.entries(json)) {
    if (block === 'resource' || block === 'data') {
      const kind = block === 'resource' ? 'resource' : 'data';
      const types: Record<string, unknown> = {};
      for (const [type, byId] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (selects(selectors, { kind, type })) types[type] = byId;
      }
      if (Object.keys(types).length > 0) out[block] = types;
    } else if (block === 'locals' || block === 'output') {
      if (selects(selectors, { kind: block === 'locals' ? 'local' : 'output', type: block })) out[block] = value;
    } else {
      out[block] = value;
    }
  }
  return out;
}
