/**
 * Reading literal values out of synthesized configuration. A value that holds a Terraform expression
 * ("${...}" or "%{...}") is only known at apply time: the readers report it as `EXPRESSION` and rules treat
 * it as not applicable, never as a failure.
 */

/** Marker for a value only known at apply time. */
export const EXPRESSION = Symbol('expression');
export type Expression = typeof EXPRESSION;

/** True when a string holds a Terraform template sequence ("${" or "%{" not escaped as "$${" / "%%{"). */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && /(^|[^$%])[$%]\{/.test(value);
}

/** A boolean attribute: true/false, `EXPRESSION`, or undefined when unset. Accepts "true"/"false" strings. */
export function readBoolean(value: unknown): boolean | Expression | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (isExpression(value)) return EXPRESSION;
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return undefined;
}

/** A string attribute: the string, `EXPRESSION`, or undefined when unset or not a string. */
export function readString(value: unknown): string | Expression | undefined {
  if (typeof value !== 'string') return undefined;
  return isExpression(value) ? EXPRESSION : value;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

/**
 * A duration as Vault reads it: a number of seconds (number or numeric string) or a Go-style duration
 * ("72h", "1h30m", "30d"). Returns seconds, `EXPRESSION`, undefined when unset or empty, or NaN when unreadable.
 */
export function readDurationSeconds(value: unknown): number | Expression | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value !== 'string') return NaN;
  if (isExpression(value)) return EXPRESSION;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]], 0);
}

/** The `lifecycle.prevent_destroy` flag of a resource block. */
export function preventsDestroy(config: Readonly<Record<string, unknown>>): boolean {
  const lifecycle = config.lifecycle;
  if (lifecycle === null || typeof lifecycle !== 'object' || Array.isArray(lifecycle)) return false;
  return readBoolean((lifecycle as Record<string, unknown>).prevent_destroy) === true;
}

/** Trims surrounding "/" from a literal mount path. */
export function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** Quotes a value for a finding detail (strings in double quotes, everything else as JSON). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A JSON object attribute (or undefined). */
export function readObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
