import { ALL_ELEMENTS } from '../applies-to';
import { stringsIn } from '../private/strings';
import { CheckLevel, ElementRule, compliant, nonCompliant } from '../types';
import { isExpression } from '../private/values';

/** Terraform functions whose result changes on every plan. */
const VOLATILE_CALL_RE = /(?<![\w.])(timestamp|plantimestamp|uuid|bcrypt)\s*\(/g;

/** The top-level attributes `lifecycle.ignore_changes` covers, or "all". */
function ignored(lifecycle: unknown): 'all' | Set<string> {
  const changes = (lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  if (changes === 'all') return 'all';
  const names = Array.isArray(changes) ? changes.filter((c): c is string => typeof c === 'string') : [];
  return new Set(names.map((n) => n.split(/[.[]/)[0]));
}

/**
 * A second plan right after apply shows no changes (invariant 9). `timestamp()`, `plantimestamp()`, `uuid()` and
 * `bcrypt()` give a new value on every plan, so a resource argument or output that uses one is changed by every
 * plan, and a reviewer can no longer tell a real change from noise. Attributes under `ignore_changes` are skipped.
 */
export const NonDeterministicValue: ElementRule = {
  id: 'PlatformTrust-NonDeterministicValue',
  scope: 'element',
  supportedResources: ALL_ELEMENTS,
  level: CheckLevel.ERROR,
  description:
    'Configuration must not call timestamp(), plantimestamp(), uuid() or bcrypt(): every plan would show a change',
  fix: 'Write dates and ids as literals in code (grace ends are explicit ISO 8601 dates), or take them from a resource that keeps its value (time_static, random_id); if the value must change only on replacement, list the attribute in lifecycle.ignore_changes.',
  check(element) {
    const skip = ignored(element.config.lifecycle);
    if (skip === 'all') return compliant();
    const details: string[] = [];
    for (const { where, text } of stringsIn(element.config)) {
      if (!isExpression(text) || where.startsWith('lifecycle')) continue;
      if (skip.has(where.split(/[.[]/)[0])) continue;
      for (const m of text.matchAll(VOLATILE_CALL_RE)) {
        details.push(`${element.address} calls ${m[1]}() in ${where}: its value changes on every plan`);
      }
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
