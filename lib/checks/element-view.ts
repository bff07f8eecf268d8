/**
 * Turns a construct into what the rules read. Public cdktf API only: `TerraformElement.toTerraform()` gives the
 * element's fragment of the Terraform JSON, and `Tokenization.resolve` with cdktf's `DefaultTokenResolver`
 * resolves it exactly as `TerraformStack.toTerraform()` does for `cdk.tf.json` (references become "${...}"
 * expressions, lazy values such as policy text are produced).
 */
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformStack, Tokenization } from 'cdktf';
import { DECLARATIONS_JSON_KEY } from '../core/declarations';
import { CheckedElement } from './types';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves a value in the scope of a stack, as synthesis does. */
export function resolveInStack(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** The element's resolved fragment of the stack's Terraform JSON. */
export function resolvedFragment(element: TerraformElement): Record<string, unknown> {
  const fragment = resolveInStack(TerraformStack.of(element), element.toTerraform());
  return fragment !== null && typeof fragment === 'object' ? (fragment as Record<string, unknown>) : {};
}

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
