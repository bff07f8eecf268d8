/**
 * What the kernel's validators return: a list of problems, empty when the value is fine. Each layer turns them into
 * its own error (constructs: PlatformTrustError; node side: NodeTrustError or a refusal; rules: findings).
 */

/** One thing wrong with a value. */
export interface Problem {
  /** Stable, kebab-case family of the problem (for example `iso-time`, `key-set-active`). */
  readonly code: string;
  /** Where in the value: a dotted path such as `keys[2].until`, or the name the caller gave. */
  readonly path: string;
  /** What is wrong, without quoting secrets. */
  readonly message: string;
}

/** A problem. */
export function problem(code: string, path: string, message: string): Problem {
  return { code, path, message };
}
