/**
 * Which suppression covers which finding: shared by the Aspect (suppressions in construct metadata) and the JSON
 * check (suppressions read back from the synthesized JSON). Pure, no cdktf import.
 */

/** Key of the suppression list inside "//" blocks of the synthesized JSON. */
export const SUPPRESSIONS_JSON_KEY = 'platform_trust_suppressions';
/** Shortest reason accepted (trimmed). */
export const MIN_SUPPRESSION_REASON_LENGTH = 10;

/** The one finding a suppression covers. Give `address` or `elementPath` (or both); `detail` narrows further. */
export interface SuppressionTarget {
  /** Terraform address of the element the finding is on (`vault_policy.ControlPlane_Policy_3F2A1B0C`). */
  readonly address?: string;
  /**
   * Construct path of the element the finding is on (`dev/ControlPlane/Policy/Resource`): the construct the
   * suppression is added to, or one below it.
   */
  readonly elementPath?: string;
  /**
   * Text the finding's detail must contain, to pick one finding among several of the rule on the element (for
   * example `path "dev/kv/data/apps/control-plane/*"`: one policy stanza).
   * @default - every finding of the rule on the element
   */
  readonly detail?: string;
}

/** A suppression as recorded. */
export interface RuleSuppression {
  /** Id of the suppressed rule (`PlatformTrust-<Rule>`). */
  readonly ruleId: string;
  /** Why the findings are accepted (at least `MIN_SUPPRESSION_REASON_LENGTH` characters); reviewers read it. */
  readonly reason: string;
  /** Construct path the suppression was added to. */
  readonly path: string;
  /** The one finding it covers; undefined: every finding of the rule on `path` and below. */
  readonly target?: SuppressionTarget;
}

/** A finding as the engine matches it against suppressions. */
export interface FindingKey {
  readonly ruleId: string;
  /** Construct path the finding is reported on. */
  readonly path: string;
  /** Terraform address of the element, when the finding is about one. */
  readonly address?: string;
  readonly detail: string;
}

/** True when `suppression` covers `finding` (same rule; the target, if any, names it). */
export function covers(suppression: RuleSuppression, finding: FindingKey): boolean {
  if (suppression.ruleId !== finding.ruleId) return false;
  const t = suppression.target;
  if (!t) return true;
  if (t.address !== undefined && t.address !== finding.address) return false;
  if (t.elementPath !== undefined && t.elementPath !== finding.path) return false;
  if (t.detail !== undefined && !finding.detail.includes(t.detail)) return false;
  return true;
}
