/**
 * Per-path differences of two parsed Vault policies, in words a reviewer reads. Pure: no cdktf, no Vault.
 */
import { ParameterMap, ParsedPolicy, PolicyPathDiff, PolicyPathRule } from './policy-hcl-types';

function listText(values: readonly string[] | undefined): string {
  return values === undefined ? 'none' : `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

function diffParams(kind: string, before: ParameterMap | undefined, after: ParameterMap | undefined): string[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [`${kind} added: ${paramsText(after!)}`];
  if (after === undefined) return [`${kind} removed (was ${paramsText(before)})`];
  const out: string[] = [];
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const n of names) {
    const b = before[n];
    const a = after[n];
    if (b === undefined) out.push(`${kind} ${JSON.stringify(n)} added: ${listText(a)}`);
    else if (a === undefined) out.push(`${kind} ${JSON.stringify(n)} removed (was ${listText(b)})`);
    else if (listText(a) !== listText(b)) out.push(`${kind} ${JSON.stringify(n)}: ${listText(b)} → ${listText(a)}`);
  }
  return out;
}

/** Renders a parameter map on one line: `"key_version" = ["2"], "input" = []`. */
export function paramsText(m: ParameterMap): string {
  const names = Object.keys(m).sort();
  return names.length === 0 ? '{}' : names.map((n) => `${JSON.stringify(n)} = ${listText(m[n])}`).join(', ');
}

/** Describes a rule's constraints on one line each (used for added and removed paths). */
export function ruleDetails(rule: PolicyPathRule): string[] {
  const out: string[] = [];
  if (rule.requiredParameters) out.push(`required_parameters ${listText(rule.requiredParameters)}`);
  if (rule.allowedParameters) out.push(`allowed_parameters ${paramsText(rule.allowedParameters)}`);
  if (rule.deniedParameters) out.push(`denied_parameters ${paramsText(rule.deniedParameters)}`);
  for (const [k, v] of Object.entries(rule.other)) out.push(`${k} = ${v}`);
  return out;
}

/**
 * Compares two policies path by path. Paths are compared exactly (no glob matching); the result is sorted
 * by path and lists only paths that differ. `before` or `after` may be undefined (policy created or deleted).
 */
export function diffPolicies(before: ParsedPolicy | undefined, after: ParsedPolicy | undefined): PolicyPathDiff[] {
  const b = new Map((before?.rules ?? []).map((r) => [r.path, r]));
  const a = new Map((after?.rules ?? []).map((r) => [r.path, r]));
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: PolicyPathDiff[] = [];
  for (const path of paths) {
    const rb = b.get(path);
    const ra = a.get(path);
    if (!rb && ra) {
      out.push({
        path,
        change: 'added',
        capabilities: ra.capabilities,
        capabilitiesAdded: ra.capabilities,
        capabilitiesRemoved: [],
        details: ruleDetails(ra),
      });
      continue;
    }
    if (rb && !ra) {
      out.push({
        path,
        change: 'removed',
        capabilities: rb.capabilities,
        capabilitiesAdded: [],
        capabilitiesRemoved: rb.capabilities,
        details: ruleDetails(rb),
      });
      continue;
    }
    const x = rb!;
    const y = ra!;
    const added = y.capabilities.filter((c) => !x.capabilities.includes(c));
    const removed = x.capabilities.filter((c) => !y.capabilities.includes(c));
    const details: string[] = [];
    if (listText(x.requiredParameters) !== listText(y.requiredParameters)) {
      details.push(`required_parameters: ${listText(x.requiredParameters)} → ${listText(y.requiredParameters)}`);
    }
    details.push(...diffParams('allowed_parameters', x.allowedParameters, y.allowedParameters));
    details.push(...diffParams('denied_parameters', x.deniedParameters, y.deniedParameters));
    for (const k of [...new Set([...Object.keys(x.other), ...Object.keys(y.other)])].sort()) {
      if (x.other[k] !== y.other[k]) details.push(`${k}: ${x.other[k] ?? 'none'} → ${y.other[k] ?? 'none'}`);
    }
    if (added.length || removed.length || details.length) {
      out.push({
        path,
        change: 'changed',
        capabilities: y.capabilities,
        capabilitiesAdded: added,
        capabilitiesRemoved: removed,
        details,
      });
    }
  }
  return out;
}
