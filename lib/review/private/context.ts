/**
 * What every step of the explainer reads: the plan, its resources (changes and unchanged prior state) and its
 * outputs, plus small helpers shared by the steps. Internal to lib/review.
 */
import type { PlanWarning } from '../explanation';
import { OutputRole, STACK_OUTPUT_NAMES, StackManifest } from '../manifest';
import {
  ActionKind,
  PlanChange,
  PlanJson,
  PlanResourceChange,
  actionKind,
  attrs,
  isUnknown,
  jsonValue,
  priorResources,
} from '../plan-json';
import { readManifest } from './manifest-read';

/** One resource as the explainer sees it: its change, or its prior state when it does not change. */
export interface Entry {
  readonly rc?: PlanResourceChange;
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly kind: ActionKind;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

/** What every step reads: the plan, its resources (changes and unchanged prior state) and its outputs. */
export interface Context {
  readonly plan: PlanJson;
  readonly all: readonly Entry[];
  readonly managed: readonly Entry[];
  readonly byAddress: ReadonlyMap<string, Entry>;
  readonly outputs: ReadonlyArray<[string, PlanChange]>;
  /** The stack manifest, when the plan carries one: the steps then read it instead of their heuristics. */
  readonly manifest?: StackManifest;
  readonly warnings: PlanWarning[];
}

export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const unique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
/** A value from the plan in a code span of a message: a backtick in it cannot end the span. */
export const tick = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** Every resource of the plan, sorted by address. */
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

/** The context of a checked plan. */
export function buildContext(plan: PlanJson): Context {
  const all = entries(plan);
  const outputs = Object.entries(plan.output_changes ?? {}).sort(([a], [b]) => byString(a, b));
  const manifest = readManifest(outputs);
  return {
    plan,
    all,
    managed: all.filter((e) => e.mode !== 'data'),
    byAddress: new Map(all.map((e) => [e.address, e])),
    outputs,
    ...(manifest ? { manifest } : {}),
    warnings: [],
  };
}

/** The name of the output that holds `role`: the manifest's, else the name the stack has always used. */
export function outputName(ctx: Context, role: OutputRole): string {
  return ctx.manifest?.outputs[role] ?? STACK_OUTPUT_NAMES[role];
}

/** An output's value as an object (JSON text is parsed), or undefined when absent or unknown. */
export function outputSide(change: PlanChange, side: 'before' | 'after'): unknown {
  if (side === 'after' && (isUnknown(change) || change.after === undefined || change.after === null)) return undefined;
  const v = side === 'before' ? change.before : change.after;
  return v === null || v === undefined ? undefined : jsonValue(v);
}

/** The resources of the configuration section (`configuration.root_module.resources`). */
export function configResources(plan: PlanJson): Record<string, unknown>[] {
  const root = attrs(attrs(plan.configuration)?.root_module);
  const resources = Array.isArray(root?.resources) ? (root!.resources as unknown[]) : [];
  return resources.map((r) => attrs(r)).filter((r): r is Record<string, unknown> => !!r);
}

/** References of an argument in the configuration section (to name what an unknown value will be). */
export function configReferences(plan: PlanJson, address: string, argument: string): string[] {
  const base = address.replace(/\[[^\]]*\]$/, '');
  for (const o of configResources(plan)) {
    if (o.address !== base) continue;
    const expr = attrs(attrs(o.expressions)?.[argument]);
    return Array.isArray(expr?.references)
      ? (expr!.references as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
  }
  return [];
}
