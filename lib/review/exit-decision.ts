/**
 * The exit decision of `plan-explain`: pure, so the CLI and tests share it. A repository that requires a second
 * reviewer for trust changes runs the CLI with `--fail-on-trust-change`; one that stops on destructive changes
 * with `--fail-on-destructive`.
 */
import type { Explanation } from './explanation';

/** Exit code when the plan has destructive changes and `failOnDestructive` is set. */
export const EXIT_DESTRUCTIVE = 3;
/** Exit code when the plan changes (or may change, or signs for) what nodes trust and `failOnTrustChange` is set. */
export const EXIT_TRUST_CHANGE = 4;

/** What makes `plan-explain` exit non-zero (the CLI's `--fail-on-*` flags). */
export interface ExitOptions {
  /**
   * Fail when the plan deletes, replaces or lowers something (the "Destructive changes" section).
   * @default false
   */
  readonly failOnDestructive?: boolean;
  /**
   * Fail when the plan holds a trust change: the control-plane URL, public HTTPS roots, node-cert CA chain,
   * bundle keys, bundle format, expiry or refresh hint change, the bundle revokes something (an emergency) or stops
   * listing a revocation, or the code overrides the rollout window; or such a change cannot be ruled out (the new
   * bundle is known only after apply and the code changed what it states); or something is signed during a plan.
   * @default false
   */
  readonly failOnTrustChange?: boolean;
}

/** The exit code `plan-explain` ends with, and the reasons it prints. */
export interface ExitDecision {
  /** 0, {@link EXIT_DESTRUCTIVE} (which wins when both apply) or {@link EXIT_TRUST_CHANGE}. */
  readonly code: number;
  /** One line per reason to fail, for stderr. Empty when `code` is 0. */
  readonly reasons: readonly string[];
}

/** Whether the CLI exits non-zero for this explanation, and why. */
export function exitDecision(explanation: Explanation, options: ExitOptions = {}): ExitDecision {
  const reasons: string[] = [];
  let code = 0;
  if (options.failOnDestructive && explanation.warnings.length > 0) {
    reasons.push(`the plan has destructive changes (see "Destructive changes"); exiting ${EXIT_DESTRUCTIVE}.`);
    code = EXIT_DESTRUCTIVE;
  }
  if (options.failOnTrustChange) {
    const confirmed = explanation.trustChanges.filter((t) => t.confirmed).length;
    const unconfirmed = explanation.trustChanges.length - confirmed;
    const signing = explanation.signing.alerts.length;
    const parts = [
      ...(confirmed ? [`${confirmed} trust change${confirmed === 1 ? '' : 's'}`] : []),
      ...(unconfirmed ? [`${unconfirmed} that cannot be ruled out until apply`] : []),
      ...(signing ? [`${signing} signing during a plan`] : []),
    ];
    if (parts.length) {
      const sections = [
        ...(explanation.emergencies.length ? ['"Emergency"'] : []),
        '"Trust changes"',
        ...(signing ? ['"Signing during a plan"'] : []),
      ];
      reasons.push(
        `the plan changes what nodes trust: ${parts.join(', ')} (see ${sections.join(' and ')}); a second reviewer is required; exiting ${code || EXIT_TRUST_CHANGE}.`,
      );
      code = code || EXIT_TRUST_CHANGE;
    }
  }
  return { code, reasons };
}
