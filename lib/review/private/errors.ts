/**
 * Errors raised by the plan review tools. They follow the library's convention (lib/core/errors.ts):
 * what is wrong, the value received, and the fix.
 */
import { ErrorCode, PlatformTrustError } from '../../core/errors';

/** The input is not the JSON of `tofu show -json <planfile>` (or `terraform show -json <planfile>`). */
export function invalidPlanJson(reason: string, received: unknown): PlatformTrustError {
  return new PlatformTrustError(
    ErrorCode.INVALID_PLAN_JSON,
    `Not a plan in JSON form: ${reason}.`,
    received,
    'pass the output of `tofu plan -out=plan.tfplan` followed by `tofu show -json plan.tfplan` (a saved plan, not a state file).',
  );
}
