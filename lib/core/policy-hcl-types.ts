/**
 * The model of a Vault policy as `parsePolicy` reads it (rules by path, parameter maps, the per-path diff) and the
 * error for text that cannot be read. Pure: no cdktf, no Vault.
 */
import { ErrorCode, PlatformTrustError } from './errors';

/** A policy text that cannot be read, with where and why (line and column are 1-based). */
export class PolicyTextError extends PlatformTrustError {
  /**
   * @param reason - What could not be read, without the position.
   * @param line - 1-based line of the problem in the policy text.
   * @param column - 1-based column of the problem in the line.
   * @param near - The policy text near the problem (the error's `received`).
   */
  constructor(
    public readonly reason: string,
    public readonly line: number,
    public readonly column: number,
    near: string,
  ) {
    super(
      ErrorCode.POLICY_PARSE,
      `Cannot read the Vault policy text: ${reason} at line ${line}, column ${column}.`,
      near,
      'check the policy text: `path "<path>" { capabilities = ["read"] }` blocks, optionally with parameter maps.',
    );
  }
}

export function invalidPolicyText(reason: string, line: number, column: number, near: string): PolicyTextError {
  return new PolicyTextError(reason, line, column, near);
}

/** Parameter constraints by parameter name; each value list is sorted (empty = any value). */
export type ParameterMap = Readonly<Record<string, readonly string[]>>;

/** What one path grants, after merging every block for the path. */
export interface PolicyPathRule {
  /** The path pattern as written in the policy. */
  readonly path: string;
  /**
   * Capabilities in Vault's usual order (create, read, update, patch, delete, list, sudo, then others); `deny`
   * alone when any block for the path denies.
   */
  readonly capabilities: readonly string[];
  /** Parameters a request must send (`required_parameters`), sorted. */
  readonly requiredParameters?: readonly string[];
  /** Parameters a request may send (`allowed_parameters`), with the values allowed. */
  readonly allowedParameters?: ParameterMap;
  /** Parameters a request must not send (`denied_parameters`), with the values refused. */
  readonly deniedParameters?: ParameterMap;
  /** Other attributes (for example `min_wrapping_ttl`), as canonical JSON text, by name. */
  readonly other: Readonly<Record<string, string>>;
  /** 1-based line of the first block for this path (1 for the JSON form). */
  readonly line: number;
}

/** A policy read from text: rules sorted by path. */
export interface ParsedPolicy {
  /** One rule per path, sorted by path. */
  readonly rules: readonly PolicyPathRule[];
  /** Top-level names that are not `path` blocks and grant nothing (only `name` is allowed), sorted. */
  readonly ignored: readonly string[];
}

/** How one path differs between two policies. */
export interface PolicyPathDiff {
  /** The path pattern. */
  readonly path: string;
  /** `added`: only after; `removed`: only before; `changed`: in both, with differences. */
  readonly change: 'added' | 'removed' | 'changed';
  /** Capabilities granted after the change (before, for a removed path). */
  readonly capabilities: readonly string[];
  /** Capabilities granted after and not before. */
  readonly capabilitiesAdded: readonly string[];
  /** Capabilities granted before and not after. */
  readonly capabilitiesRemoved: readonly string[];
  /** One human line per parameter or attribute difference, in a fixed order. */
  readonly details: readonly string[];
}

const CAPABILITY_ORDER = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'];

/** The capabilities of Vault's legacy `policy = "..."` shorthand. */
export const LEGACY_POLICY: Readonly<Record<string, readonly string[]>> = {
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
