/**
 * Shape checks for values parsed from JSON: plain objects with a closed set of fields.
 */
import { NodeTrustError, NodeTrustErrorCode as Code } from '../errors';

/**
 * Returns `value` as a record when it is a non-array object whose own fields are all in `allowed`
 * and include every field of `required` (defined). Throws a {@link NodeTrustError} otherwise.
 */
export function expectObject(
  value: unknown,
  field: string,
  allowed: readonly string[],
  required: readonly string[] = allowed,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NodeTrustError(Code.MALFORMED, field, `must be a JSON object`, value);
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new NodeTrustError(Code.INVALID_FIELD, `${field}.${k}`, `unknown field; allowed: ${allowed.join(', ')}`, k);
    }
  }
  for (const k of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, k) || obj[k] === undefined) {
      throw new NodeTrustError(Code.INVALID_FIELD, `${field}.${k}`, 'is missing', obj[k]);
    }
  }
  return obj;
}

/** Throws unless `value` is a string of 1 to `max` characters; returns it. */
export function expectString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      field,
      `must be a non-empty string of at most ${max} characters`,
      value,
    );
  }
  return value;
}
