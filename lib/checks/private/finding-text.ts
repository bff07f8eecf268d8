/** The text of a finding, the same for the Aspect's annotations and the JSON check. Pure, no cdktf import. */
import { CheckRuleInfo } from '../types';

/** `[<rule id>] <description>. <detail>. Fix: <hint>`, or the suppressed form with the reason. */
export function findingMessage(rule: CheckRuleInfo, detail: string, suppressionReason?: string): string {
  const body = `${sentence(rule.description)} ${sentence(detail)}`;
  return suppressionReason !== undefined
    ? `[${rule.id}] Suppressed: ${body} Reason: ${suppressionReason}`
    : `[${rule.id}] ${body} Fix: ${rule.fix}`;
}

/** The message of a rule that threw: a bug in the rule, reported as a warning. */
export function ruleFailedMessage(rule: CheckRuleInfo, reason: string, address?: string): string {
  return `[${rule.id}] The check could not run${address ? ` on ${address}` : ''}: ${reason}. Report this as a bug of cdktf-platform-trust.`;
}

/** Text as a sentence: first letter upper case, exactly one final period. */
function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
}
