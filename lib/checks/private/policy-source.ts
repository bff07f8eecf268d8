/**
 * Where a policy's stanzas come from: the text of a `vault_policy` (HCL or JSON) or the `rule` blocks of a
 * `vault_policy_document` data source. Pure.
 */
import { PolicyParseError, parsePolicyText } from './policy-text';
import {
  CheckResult,
  CheckedElement,
  KnownMount,
  PolicyStanza,
  StackContext,
  compliant,
  nonCompliant,
  notApplicable,
} from '../types';
import { globReach, grantingCapabilities, parsePathPattern } from './vault-paths';
import { isExpression, readObject } from './values';

/** What an element says about policy stanzas. */
export type PolicySource =
  /** Not a policy. */
  | { readonly kind: 'none' }
  /** A policy whose text is only known at apply time (`file(...)`, a data source's `hcl`). */
  | { readonly kind: 'computed'; readonly reason: string }
  /** A policy whose text the parser could not read. */
  | { readonly kind: 'unparsable'; readonly error: PolicyParseError }
  | { readonly kind: 'stanzas'; readonly stanzas: readonly PolicyStanza[] };

/** The stanzas of a `vault_policy` or `data.vault_policy_document`, with mount references made literal. */
export function policySourceOf(element: CheckedElement, mounts: readonly KnownMount[] = []): PolicySource {
  if (element.kind === 'resource' && element.type === 'vault_policy') {
    const text = element.config.policy;
    if (typeof text !== 'string') return { kind: 'computed', reason: 'the policy text is not a literal string' };
    if (/^\s*[$%]\{/.test(text)) return { kind: 'computed', reason: 'the policy text is a Terraform expression' };
    try {
      return { kind: 'stanzas', stanzas: parsePolicyText(text).map((s) => withMounts(s, mounts)) };
    } catch (e) {
      if (!(e instanceof PolicyParseError)) throw e;
      if (isExpression(text)) {
        return { kind: 'computed', reason: 'the policy text holds Terraform template sequences outside paths' };
      }
      return { kind: 'unparsable', error: e };
    }
  }
  if (element.kind === 'data' && element.type === 'vault_policy_document') {
    const rules = element.config.rule;
    if (rules === undefined) return { kind: 'stanzas', stanzas: [] };
    if (!Array.isArray(rules)) return { kind: 'computed', reason: 'the rule blocks are a Terraform expression' };
    const stanzas: PolicyStanza[] = [];
    for (const r of rules) {
      const rule = readObject(r);
      if (!rule || typeof rule.path !== 'string') continue;
      const caps = Array.isArray(rule.capabilities)
        ? rule.capabilities.filter((c): c is string => typeof c === 'string').map((c) => c.toLowerCase())
        : [];
      stanzas.push(
        withMounts(
          {
            path: rule.path,
            capabilities: caps,
            ...(rule.allowed_parameter !== undefined
              ? {
                  allowedParameters: keysOf(rule.allowed_parameter),
                  allowedValues: valuesOf(rule.allowed_parameter),
                }
              : {}),
            ...(rule.denied_parameter !== undefined ? { deniedParameters: keysOf(rule.denied_parameter) } : {}),
            line: 0,
          },
          mounts,
        ),
      );
    }
    return { kind: 'stanzas', stanzas };
  }
  return { kind: 'none' };
}

/** `key` -> `value` of `allowed_parameter` blocks; a value that is not a literal list reads as "any" (empty). */
function valuesOf(blocks: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const b of Array.isArray(blocks) ? blocks : [blocks]) {
    const o = readObject(b);
    if (!o || typeof o.key !== 'string') continue;
    const values = Array.isArray(o.value) ? o.value.map((v) => (typeof v === 'string' ? v : String(v))) : [];
    out[o.key] = [...(out[o.key] ?? []), ...values];
  }
  return out;
}

function keysOf(blocks: unknown): string[] {
  const list = Array.isArray(blocks) ? blocks : [blocks];
  return list.map((b) => readObject(b)?.key).filter((k): k is string => typeof k === 'string');
}

/**
 * Replaces `${vault_mount.<id>.path}` and `${vault_auth_backend.<id>.path}` in a stanza path with the literal
 * path of that mount when the stack declares it with a literal path.
 */
export function withMounts(stanza: PolicyStanza, mounts: readonly KnownMount[]): PolicyStanza {
  if (!isExpression(stanza.path)) return stanza;
  const path = stanza.path.replace(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.path\}/g, (whole, address: string) => {
    const m = mounts.find((k) => k.address === address);
    return m ? (m.attributePath ?? m.path) : whole;
  });
  return path === stanza.path ? stanza : { ...stanza, path };
}

/**
 * The stanzas a policy rule checks, or the not-applicable result when the element is not a policy, its text is
 * only known at apply time, or it cannot be parsed (PolicyUnparsable reports that).
 */
export function stanzasToCheck(
  element: CheckedElement,
  mounts: readonly KnownMount[],
): { readonly stanzas: readonly PolicyStanza[] } | { readonly skip: CheckResult } {
  const source = policySourceOf(element, mounts);
  switch (source.kind) {
    case 'none':
      return { skip: notApplicable('not a Vault policy') };
    case 'computed':
      return { skip: notApplicable(source.reason) };
    case 'unparsable':
      return { skip: notApplicable(`the policy text cannot be parsed (${source.error.detail})`) };
    default:
      return { stanzas: source.stanzas };
  }
}

/** `path "x"` (line n), for details. */
export function stanzaLabel(stanza: PolicyStanza): string {
  return `path ${JSON.stringify(stanza.path)}${stanza.line > 0 ? ` (line ${stanza.line})` : ''}`;
}

/** `["read", "list"]`, for details. */
export function showCapabilities(capabilities: readonly string[]): string {
  return `[${capabilities.map((c) => JSON.stringify(c)).join(', ')}]`;
}

/**
 * The stanzas of a policy that grant on a wildcard of the given reach ("broad": a whole mount, KV tree or every
 * path; "kv-subtree": a folder inside a KV tree), one detail each. Shared by PolicyBroadGlob and PolicyKvGlob.
 */
export function globGrants(
  element: CheckedElement,
  context: StackContext,
  reachKind: 'broad' | 'kv-subtree',
): CheckResult {
  const read = stanzasToCheck(element, context.mounts);
  if ('skip' in read) return read.skip;
  const details: string[] = [];
  for (const s of read.stanzas) {
    const caps = grantingCapabilities(s);
    if (caps.length === 0) continue;
    const reach = globReach(parsePathPattern(s.path), context.mounts);
    if (reach.kind === reachKind) details.push(`${stanzaLabel(s)} grants ${showCapabilities(caps)} on ${reach.what}`);
  }
  return details.length > 0 ? nonCompliant(...details) : compliant();
}
