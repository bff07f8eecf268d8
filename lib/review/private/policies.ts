/**
 * Policy changes per path, and the `key_version` each policy lets the control plane sign with. Internal to
 * lib/review.
 */
import { ParsedPolicy, diffPolicies, parsePolicy } from '../../core/policy-hcl';
import type { PolicyChange } from '../explanation';
import { isUnknown, str, wholeNumber } from '../plan-json';
import { Context } from './context';

/** Every policy's texts before and after (parsed), changed or not. */
export type PolicyTexts = Array<{ before?: ParsedPolicy; after?: ParsedPolicy }>;

function parseSafely(text: unknown): { policy?: ParsedPolicy; problem?: string } {
  if (typeof text !== 'string') return {};
  try {
    return { policy: parsePolicy(text) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** The `key_version` values a policy allows on `signPath`. */
export function signingVersions(policy: ParsedPolicy | undefined, signPath: string): number[] {
  const rule = policy?.rules.find((r) => r.path === signPath);
  const values = rule?.allowedParameters?.key_version ?? [];
  return values.map(wholeNumber).filter((n): n is number => n !== undefined);
}

/** Per-path differences of every changed policy; also returns every policy's texts (for the signing version). */
export function explainPolicies(ctx: Context): { policies: PolicyChange[]; texts: PolicyTexts } {
  const policies: PolicyChange[] = [];
  const texts: PolicyTexts = [];
  for (const e of ctx.managed.filter((x) => x.type === 'vault_policy')) {
    const before = parseSafely(e.before?.policy);
    const afterUnknown = !!e.rc && isUnknown(e.rc.change, 'policy');
    const after = afterUnknown ? {} : parseSafely(e.after?.policy);
    texts.push({ before: before.policy, after: after.policy });
    if (e.kind === 'no-op') continue;
    const problem = afterUnknown ? 'the new policy text is known only after apply' : (before.problem ?? after.problem);
    const nameBefore = str(e.before, 'name');
    const nameAfter = str(e.after, 'name');
    policies.push({
      address: e.address,
      ...((nameAfter ?? nameBefore) !== undefined ? { name: nameAfter ?? nameBefore } : {}),
      ...(nameBefore !== undefined && nameAfter !== undefined && nameBefore !== nameAfter
        ? { previousName: nameBefore }
        : {}),
      action: e.kind,
      paths: problem ? [] : diffPolicies(before.policy, after.policy),
      ...(problem ? { problem } : {}),
    });
  }
  return { policies, texts };
}
