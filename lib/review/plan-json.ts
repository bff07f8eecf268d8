/**
 * The parts of `tofu show -json <planfile>` (Terraform's JSON plan format 1.x) that the explainer reads,
 * and small accessors over them. Unknown properties are ignored, as the format's compatibility rules ask.
 */
import { invalidPlanJson } from './private/errors';

/** One change: `before`/`after` are attribute objects for resources and any value for outputs. */
export interface PlanChange {
  /** Terraform's action list, for example `["create"]` or `["delete", "create"]` (see `actionKind`). */
  readonly actions: readonly string[];
  /** The value before the change; absent (or null) when it did not exist. */
  readonly before?: unknown;
  /** Absent (or null) when the whole value is unknown until apply. */
  readonly after?: unknown;
  /** `true` for a wholly unknown value, or an object with `true` at each unknown attribute. */
  readonly after_unknown?: unknown;
  /**
   * `true` for a wholly sensitive value before the change, or an object with `true` at each sensitive attribute.
   */
  readonly before_sensitive?: unknown;
  /** As `before_sensitive`, for the value after the change. */
  readonly after_sensitive?: unknown;
  /** Attribute paths that force a replacement. */
  readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** One entry of `resource_changes`: a resource or data source the plan touches. */
export interface PlanResourceChange {
  /** Full address, with module path and index (for example `vault_policy.ci_plan` or `module.a.x.y[0]`). */
  readonly address: string;
  /** Address of the module that holds it; absent in the root module. */
  readonly module_address?: string;
  /** `managed` for a resource, `data` for a data source. */
  readonly mode?: 'managed' | 'data' | string;
  /** Resource type, for example `vault_policy`. */
  readonly type: string;
  /** Name in the configuration (the cdktf logical id). */
  readonly name: string;
  /** `count` or `for_each` index, when the resource has one. */
  readonly index?: string | number;
  /** Address of the provider that manages it, as the engine prints it. */
  readonly provider_name?: string;
  /** What the plan does to it. */
  readonly change: PlanChange;
  /** For example `replace_because_cannot_update`, `delete_because_no_resource_config`. */
  readonly action_reason?: string;
}

/** A resource in `prior_state`. */
export interface StateResource {
  /** Full address, as in `PlanResourceChange.address`. */
  readonly address: string;
  /** `managed` or `data`. */
  readonly mode?: string;
  /** Resource type. */
  readonly type: string;
  /** Name in the configuration. */
  readonly name: string;
  /** Attribute values from the refreshed state. */
  readonly values?: Record<string, unknown>;
}

/** A module in `prior_state.values`: its resources and child modules. */
export interface StateModule {
  /** Resources of this module. */
  readonly resources?: readonly StateResource[];
  /** Nested modules, each with its own resources. */
  readonly child_modules?: readonly StateModule[];
}

/** The plan JSON (only what the explainer reads is typed). */
export interface PlanJson {
  /** Version of the JSON plan format, for example `1.2`. */
  readonly format_version?: string;
  /** Version of the engine that wrote the plan (Terraform or OpenTofu). */
  readonly terraform_version?: string;
  /** Every resource and data source the plan creates, changes, deletes or reads. */
  readonly resource_changes?: readonly PlanResourceChange[];
  /** Changes to root module outputs, by output name. */
  readonly output_changes?: Readonly<Record<string, PlanChange>>;
  /** The state as refreshed before planning. */
  readonly prior_state?: {
    /** The state's values. */
    readonly values?: {
      /** The root module, with its resources and child modules. */
      readonly root_module?: StateModule;
    };
  };
  /** Values the plan computes for after the apply (unknown values absent); not typed here. */
  readonly planned_values?: unknown;
  /** The configuration as the engine read it; not typed here. */
  readonly configuration?: unknown;
}

/** The action of a change in one word. */
export type ActionKind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget' | 'other';

/** Maps the `actions` list of a change to one kind (`["delete","create"]` and `["create","delete"]` are replace). */
export function actionKind(actions: readonly string[] | undefined): ActionKind {
  const a = actions ?? [];
  if (a.includes('delete') && a.includes('create')) return 'replace';
  if (a.length === 1) {
    const [x] = a;
    if (x === 'create' || x === 'update' || x === 'delete' || x === 'read' || x === 'no-op' || x === 'forget') {
      return x;
    }
  }
  if (a.includes('forget')) return 'forget';
  return 'other';
}

/** Checks the overall shape and returns the plan typed. Throws a PlatformTrustError on anything else. */
export function checkPlanJson(input: unknown): PlanJson {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidPlanJson('the top level is not a JSON object', Array.isArray(input) ? 'an array' : input);
  }
  const plan = input as Record<string, unknown>;
  const fv = plan.format_version;
  if (fv !== undefined && (typeof fv !== 'string' || !/^1\./.test(fv))) {
    throw invalidPlanJson('unsupported format_version (this reader knows format 1.x)', fv);
  }
  const looksLikePlan =
    'resource_changes' in plan || 'output_changes' in plan || 'planned_values' in plan || 'prior_state' in plan;
  if (!looksLikePlan) {
    const reason =
      'values' in plan
        ? 'it is state JSON (`tofu show -json` without a plan file), not a plan'
        : 'no resource_changes, output_changes or planned_values';
    throw invalidPlanJson(reason, Object.keys(plan).slice(0, 8));
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    throw invalidPlanJson('resource_changes is not a list', typeof plan.resource_changes);
  }
  for (const rc of (plan.resource_changes as unknown[] | undefined) ?? []) {
    const r = rc as Partial<PlanResourceChange> | null;
    if (
      !r ||
      typeof r.address !== 'string' ||
      typeof r.type !== 'string' ||
      !r.change ||
      !Array.isArray(r.change.actions)
    ) {
      throw invalidPlanJson('a resource_changes entry lacks address, type or change.actions', r);
    }
  }
  if (
    plan.output_changes !== undefined &&
    (plan.output_changes === null || typeof plan.output_changes !== 'object' || Array.isArray(plan.output_changes))
  ) {
    throw invalidPlanJson('output_changes is not an object', typeof plan.output_changes);
  }
  return plan as PlanJson;
}

/** Every resource in the prior state (all modules), by address. */
export function priorResources(plan: PlanJson): Map<string, StateResource> {
  const out = new Map<string, StateResource>();
  const walk = (m: StateModule | undefined) => {
    for (const r of m?.resources ?? []) out.set(r.address, r);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.prior_state?.values?.root_module);
  return out;
}

/** The attribute object of `before`/`after`, or undefined when absent. */
export function attrs(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** True when `after_unknown` marks attribute `name` (or the whole value) unknown. */
export function isUnknown(change: PlanChange, name?: string): boolean {
  const u = change.after_unknown;
  if (u === true) return true;
  if (name === undefined) return false;
  const o = attrs(u);
  return !!o && o[name] !== undefined && o[name] !== false;
}

/** A string attribute of `before`/`after`, or undefined. */
export function str(obj: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = obj?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** Parses JSON text, or returns a non-string value as is; undefined when it does not parse. */
export function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A positive whole number from a number or a numeric string, else undefined. */
export function wholeNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
