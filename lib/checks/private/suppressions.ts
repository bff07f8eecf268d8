/**
 * Suppressions of PlatformTrust rules. A suppression names a rule id and gives a reason. Without a target it covers
 * the rule's findings on the construct it is added to and everything below it; with a target it covers one finding:
 * the rule on one element (its Terraform address or its construct path), optionally narrowed to the finding whose
 * detail holds a given text (one policy stanza among several). It is kept in the construct's node metadata (what
 * the checks read) and written into the synthesized JSON so that reviewers see it:
 *
 * - always in the stack's top-level "//" block:
 *   `"platform_trust_suppressions": [{ "path", "rule", "reason", "finding"? }]`;
 * - also in the resource's own "//" block when the construct is a Terraform resource:
 *   `"platform_trust_suppressions": [{ "rule", "reason", "finding"? }]`.
 *
 * `finding` is `{ "address"?, "element_path"?, "detail"? }`, present only for a targeted suppression.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { ErrorCode, PlatformTrustError } from '../../core/errors';

import {
  FindingKey,
  MIN_SUPPRESSION_REASON_LENGTH,
  RuleSuppression,
  SUPPRESSIONS_JSON_KEY,
  SuppressionTarget,
  covers,
} from '../suppression-match';

export { FindingKey, MIN_SUPPRESSION_REASON_LENGTH, RuleSuppression, SUPPRESSIONS_JSON_KEY, SuppressionTarget, covers };

/** Node metadata type of a suppression entry. */
export const SUPPRESSION_METADATA_TYPE = 'cdktf-platform-trust/suppression';

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
  target?: SuppressionTarget,
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
      `${ruleId} guards key custody or secrets and cannot be suppressed: a finding of it means key material, a secret or what nodes trust is exposed to someone other than the reviewed apply.`,
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
  const checkedTarget = target === undefined ? undefined : checkTarget(construct, ruleId, target);
  const entry: RuleSuppression = {
    ruleId,
    reason: trimmed,
    path: construct.node.path,
    ...(checkedTarget ? { target: checkedTarget } : {}),
  };
  construct.node.addMetadata(SUPPRESSION_METADATA_TYPE, {
    ruleId,
    reason: trimmed,
    ...(checkedTarget ? { target: checkedTarget } : {}),
  });

  const own = suppressionsOn(construct);
  if (TerraformResource.isTerraformResource(construct)) {
    (construct as TerraformResource).addOverride(
      `//.${SUPPRESSIONS_JSON_KEY}`,
      own.map((s) => ({ rule: s.ruleId, reason: s.reason, ...findingJson(s.target) })),
    );
  }
  const key = keyOf(entry);
  const records = (stackRecords.get(stack) ?? []).filter((r) => !(r.path === entry.path && keyOf(r) === key));
  records.push(entry);
  stackRecords.set(stack, records);
  stack.addOverride(
    `//.${SUPPRESSIONS_JSON_KEY}`,
    records.map((r) => ({ path: r.path, rule: r.ruleId, reason: r.reason, ...findingJson(r.target) })),
  );
  return entry;
}

const TARGET_KEYS = ['address', 'elementPath', 'detail'];

/** A target with only its known, non-empty fields; throws PT035 for anything else. */
function checkTarget(construct: IConstruct, ruleId: string, target: SuppressionTarget): SuppressionTarget {
  const fix =
    "give the finding's element as { address } (its Terraform address) or { elementPath } (its construct path, at or below the construct the suppression is added to), optionally with { detail } (text of the one finding), or leave the target out to suppress the rule on the whole construct.";
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw invalidSuppression(`A suppression of ${ruleId} has a target that is not an object.`, target, fix);
  }
  const unknown = Object.keys(target).filter((k) => !TARGET_KEYS.includes(k));
  if (unknown.length > 0) {
    throw invalidSuppression(`A suppression of ${ruleId} has unknown target fields.`, unknown, fix);
  }
  for (const k of TARGET_KEYS) {
    const v = (target as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) {
      throw invalidSuppression(`The ${k} of a suppression target of ${ruleId} must be a non-empty string.`, v, fix);
    }
  }
  if (target.address === undefined && target.elementPath === undefined) {
    throw invalidSuppression(
      `A suppression target of ${ruleId} must name the element: an address or an elementPath.`,
      target,
      fix,
    );
  }
  const base = construct.node.path;
  if (
    target.elementPath !== undefined &&
    target.elementPath !== base &&
    !(base === '' || target.elementPath.startsWith(`${base}/`))
  ) {
    throw invalidSuppression(
      `A suppression of ${ruleId} added to ${base} targets an element outside it.`,
      target.elementPath,
      fix,
    );
  }
  return {
    ...(target.address !== undefined ? { address: target.address } : {}),
    ...(target.elementPath !== undefined ? { elementPath: target.elementPath } : {}),
    ...(target.detail !== undefined ? { detail: target.detail } : {}),
  };
}

/** The `finding` field of a JSON record, or nothing for a whole-rule suppression. */
function findingJson(target: SuppressionTarget | undefined): { finding?: Record<string, string> } {
  if (!target) return {};
  return {
    finding: {
      ...(target.address !== undefined ? { address: target.address } : {}),
      ...(target.elementPath !== undefined ? { element_path: target.elementPath } : {}),
      ...(target.detail !== undefined ? { detail: target.detail } : {}),
    },
  };
}

/** What makes two suppressions on one construct the same: the rule and the target. */
function keyOf(s: { ruleId: string; target?: SuppressionTarget }): string {
  return JSON.stringify([s.ruleId, s.target?.address ?? null, s.target?.elementPath ?? null, s.target?.detail ?? null]);
}

/**
 * Suppressions added to this construct itself (a later one for the same rule and target replaces an earlier
 * one).
 */
export function suppressionsOn(construct: IConstruct): RuleSuppression[] {
  const byKey = new Map<string, RuleSuppression>();
  for (const m of construct.node.metadata) {
    if (m.type !== SUPPRESSION_METADATA_TYPE) continue;
    const data = m.data as { ruleId: string; reason: string; target?: SuppressionTarget };
    const entry: RuleSuppression = {
      ruleId: data.ruleId,
      reason: data.reason,
      path: construct.node.path,
      ...(data.target ? { target: data.target } : {}),
    };
    byKey.set(keyOf(entry), entry);
  }
  return [...byKey.values()];
}

/**
 * The suppression that covers a finding reported on `construct`: on the construct itself or the nearest
 * ancestor. `finding` may be a rule id alone (whole-rule suppressions only, as before).
 */
export function findSuppression(construct: IConstruct, finding: string | FindingKey): RuleSuppression | undefined {
  const key: FindingKey | undefined = typeof finding === 'string' ? undefined : finding;
  const ruleId = typeof finding === 'string' ? finding : finding.ruleId;
  const scopes = construct.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const hit = suppressionsOn(scopes[i]).find((s) =>
      key ? covers(s, key) : s.ruleId === ruleId && s.target === undefined,
    );
    if (hit) return hit;
  }
  return undefined;
}
