/**
 * Policy stanzas for the rules, read with the library's one Vault policy reader (lib/core/policy-hcl.ts):
 * HCL or JSON text, comments, heredocs, parameter maps, the legacy `policy = "write"` shorthand.
 * Blocks for the same path are merged, as Vault merges them.
 */
import { PolicyTextError, parsePolicy } from '../../core/policy-hcl';
import { PolicyStanza } from '../types';

/**
 * The policy text cannot be read; `line` and `column` are 1-based. A `PolicyTextError` (code PT033, the library's
 * error shape: what is wrong, the text near the error, the fix) under the name the checks have always thrown.
 */
export class PolicyParseError extends PolicyTextError {
  /** `line <l>, column <c>: <reason>`, as the checks quote it in findings. */
  public readonly detail: string;

  constructor(reason: string, line: number, column: number, near: string = '') {
    super(reason, line, column, near);
    this.name = 'PolicyParseError';
    this.detail = `line ${line}, column ${column}: ${reason}`;
  }
}

/** Reads a policy into stanzas, in the order they appear in the text. Throws PolicyParseError when the text cannot be read. */
export function parsePolicyText(text: string): PolicyStanza[] {
  let rules;
  try {
    rules = parsePolicy(text).rules;
  } catch (e) {
    if (e instanceof PolicyTextError) throw new PolicyParseError(e.reason, e.line, e.column, String(e.received));
    throw e;
  }
  return rules
    .map((r) => ({
      path: r.path,
      capabilities: r.capabilities.map((c) => c.toLowerCase()),
      ...(r.allowedParameters
        ? { allowedParameters: Object.keys(r.allowedParameters), allowedValues: r.allowedParameters }
        : {}),
      ...(r.deniedParameters ? { deniedParameters: Object.keys(r.deniedParameters) } : {}),
      line: r.line,
    }))
    .sort((a, b) => a.line - b.line || a.path.localeCompare(b.path));
}
