/**
 * Suppressions of PlatformTrust rules. A suppression names a rule id and gives a reason; it covers the construct
 * it is added to and everything below it. It is kept in the construct's node metadata (what the checks read) and
 * written into the synthesized JSON so that reviewers see it:
 *
 * - always in the stack's top-level "//" block: `"platform_trust_suppressions": [{ "path", "rule", "reason" }]`;
 * - also in the resource's own "//" block when the construct is a Terraform resource:
 *   `"platform_trust_suppressions": [{ "rule", "reason" }]`.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { ErrorCode, PlatformTrustError } from '../core/errors';

/** Node metadata type of a suppression entry. */
export const SUPPRESSION_METADATA_TYPE = 'cdktf-platform-trust/suppression';
/** Key of the suppression list inside "//" blocks of the synthesized JSON. */
export const SUPPRESSIONS_JSON_KEY = 'platform_trust_suppressions';
/** Shortest reason accepted (trimmed). */
export const MIN_SUPPRESSION_REASON_LENGTH = 10;

/** A suppression as recorded. */
export interface RuleSuppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Construct path the suppression was added to. */
  readonly path: string;
}

function invalidSuppression(what: string, value: unknown, fix: string): PlatformTrustError {
  return new PlatformTrustError(ErrorCode.INVALID_SUPPRESSION, what, value, fix);
}

const stackRecords = new WeakMap<TerraformStack, RuleSuppression[]>();

/**
 * Records a suppression on `construct` (see the module comment for where it lands).
 * @throws PlatformTrustError PT036 for a rule that cannot be suppressed; PT035 for an unknown rule id, a missing
 *   or short reason, or a construct outside a stack
 */
export function addSuppression(
  construct: IConstruct,
  ruleId: string,
  reason: string,
  knownRuleIds: readonly string[],
  unsuppressibleRuleIds: readonly string[] = [],
): RuleSuppression {
  if (!construct || !construct.node) {
    throw invalidSuppression(
      'A PlatformTrust suppression needs a construct.',
      construct,
      'pass the construct (or stack) the finding is on.',
    );
  }
  if (typeof ruleId !== 'string' || !knownRuleIds.includes(ruleId)) {
    throw invalidSuppression(
      'Unknown PlatformTrust rule id in a suppression.',
      ruleId,
      `use one of ${knownRuleIds.map((id) => JSON.stringify(id)).join(', ')}.`,
    );
  }
  if (unsuppressibleRuleIds.includes(ruleId)) {
    throw new PlatformTrustError(
      ErrorCode.UNSUPPRESSIBLE_RULE,
      `${ruleId} guards key custody and cannot be suppressed: a finding of it means someone other than the reviewed apply could change what nodes trust.`,
      ruleId,
      'fix the configuration the finding names (the rule says how); there is no exception to record.',
    );
  }
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed.length < MIN_SUPPRESSION_REASON_LENGTH) {
    throw invalidSuppression(
      `A suppression of ${ruleId} on ${construct.node.path} needs a reason of at least ${MIN_SUPPRESSION_REASON_LENGTH} characters: reviewers read it in the synthesized JSON.`,
      reason,
      'say why the finding is acceptable here (for example "throw-away test server: nothing to protect").',
    );
  }
  let stack: TerraformStack;
  try {
    stack = TerraformStack.of(construct);
  } catch {
    throw invalidSuppression(
      'A PlatformTrust suppression must be added to a stack or to a construct inside one.',
      construct.node.path,
      'call PlatformTrustChecks.suppress on the stack or on a construct in it.',
    );
  }
  const entry: RuleSuppression = { ruleId, reason: trimmed, path: construct.node.path };
  construct.node.addMetadata(SUPPRESSION_METADATA_TYPE, { ruleId, reason: trimmed });

  const own = suppressionsOn(construct);
  if (TerraformResource.isTerraformResource(construct)) {
    (construct as TerraformResource).addOverride(
      `//.${SUPPRESSIONS_JSON_KEY}`,
      own.map((s) => ({ rule: s.ruleId, reason: s.reason })),
    );
  }
  const records = (stackRecords.get(stack) ?? []).filter((r) => !(r.path === entry.path && r.ruleId === ruleId));
  records.push(entry);
  stackRecords.set(stack, records);
  stack.addOverride(
    `//.${SUPPRESSIONS_JSON_KEY}`,
    records.map((r) => ({ path: r.path, rule: r.ruleId, reason: r.reason })),
  );
  return entry;
}

/** Suppressions added to this construct itself (a later one for the same rule replaces an earlier one). */
export function suppressionsOn(construct: IConstruct): RuleSuppression[] {
  const byRule = new Map<string, RuleSuppression>();
  for (const m of construct.node.metadata) {
    if (m.type !== SUPPRESSION_METADATA_TYPE) continue;
    const data = m.data as { ruleId: string; reason: string };
    byRule.set(data.ruleId, { ruleId: data.ruleId, reason: data.reason, path: construct.node.path });
  }
  return [...byRule.values()];
}

/** The suppression of `ruleId` that covers `construct`: on the construct itself or the nearest ancestor. */
export function findSuppression(construct: IConstruct, ruleId: string): RuleSuppression | undefined {
  const scopes = construct.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const hit = suppressionsOn(scopes[i]).find((s) => s.ruleId === ruleId);
    if (hit) return hit;
  }
  return undefined;
}
