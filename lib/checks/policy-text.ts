/**
 * Policy stanzas for the rules, read with the library's one Vault policy reader (lib/core/policy-hcl.ts):
 * HCL or JSON text, comments, heredocs, parameter maps, the legacy `policy = "write"` shorthand.
 * Blocks for the same path are merged, as Vault merges them.
 */
import { PolicyTextError, parsePolicy } from '../core/policy-hcl';
import { PolicyStanza } from './types';

/** The policy text cannot be read; `line` and `column` are 1-based. */
export class PolicyParseError extends Error {
  constructor(
    public readonly reason: string,
    public readonly line: number,
    public readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'PolicyParseError';
  }
}

/** Reads a policy into stanzas, in the order they appear in the text. Throws PolicyParseError when the text cannot be read. */
export function parsePolicyText(text: string): PolicyStanza[] {
  let rules;
  try {
    rules = parsePolicy(text).rules;
  } catch (e) {
    if (e instanceof PolicyTextError) throw new PolicyParseError(e.reason, e.line, e.column);
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
