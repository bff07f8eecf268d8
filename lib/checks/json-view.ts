/**
 * What the rules read, from Terraform JSON (a resolved fragment or a whole `cdk.tf.json`). Pure, and no cdktf
 * import: the command-line check runs the pack over JSON files without loading cdktf.
 */
import { DECLARATIONS_JSON_KEY } from '../core/declaration-key';
import { CheckedElement } from './types';

/** The rule views of a resolved fragment: its resources, data sources, locals and outputs. Pure. */
export function viewsOfFragment(fragment: Readonly<Record<string, unknown>>, constructPath: string): CheckedElement[] {
  const out: CheckedElement[] = [];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, blocks] of entries(fragment[kind])) {
      for (const [logicalId, config] of entries(blocks)) {
        out.push({
          kind,
          type,
          logicalId,
          address: kind === 'data' ? `data.${type}.${logicalId}` : `${type}.${logicalId}`,
          path: constructPath,
          config: withoutMetadata(config),
          ...declarationsOf(config),
        });
      }
    }
  }
  for (const [logicalId, value] of entries(fragment.locals)) {
    out.push({
      kind: 'local',
      type: 'locals',
      logicalId,
      address: `local.${logicalId}`,
      path: constructPath,
      config: { value },
    });
  }
  for (const [logicalId, config] of entries(fragment.output)) {
    out.push({
      kind: 'output',
      type: 'output',
      logicalId,
      address: `output.${logicalId}`,
      path: constructPath,
      config: withoutMetadata(config),
    });
  }
  return out;
}

/**
 * The JSON paths an element's fragment occupies in the stack JSON (["resource", type, id], ["locals", id],
 * ["provider", type], ...), to map a location in the stack JSON back to the construct. Pure.
 */
export function locationsOfFragment(fragment: Readonly<Record<string, unknown>>): string[][] {
  const out: string[][] = [];
  for (const [top, value] of Object.entries(fragment)) {
    if (top === 'resource' || top === 'data') {
      for (const [type, blocks] of entries(value)) for (const [id] of entries(blocks)) out.push([top, type, id]);
    } else if (top === 'locals' || top === 'output' || top === 'variable' || top === 'module') {
      for (const [id] of entries(value)) out.push([top, id]);
    } else if (top === 'provider') {
      for (const [type] of entries(value)) out.push([top, type]);
    }
  }
  return out;
}

/** Splits a location such as `resource.vault_policy.Id.policy` or `locals["a b"][0]` into its segments. */
export function splitLocation(location: string): string[] {
  const out: string[] = [];
  const re = /([^.[\]]+)|\[("(?:[^"\\]|\\.)*"|\d+)\]/g;
  for (const m of location.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]);
  }
  return out;
}

function entries(value: unknown): Array<[string, unknown]> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

function withoutMetadata(config: unknown): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return {};
  return Object.fromEntries(Object.entries(config).filter(([key]) => key !== '//'));
}

/** The declarations in a block's "//" object, as a `CheckedElement` field (nothing when there are none). */
function declarationsOf(config: unknown): { declarations?: Readonly<Record<string, unknown>> } {
  const comments = (config as Record<string, unknown> | null)?.['//'];
  if (comments === null || typeof comments !== 'object' || Array.isArray(comments)) return {};
  const declared = (comments as Record<string, unknown>)[DECLARATIONS_JSON_KEY];
  if (declared === null || typeof declared !== 'object' || Array.isArray(declared)) return {};
  return { declarations: declared as Record<string, unknown> };
}
