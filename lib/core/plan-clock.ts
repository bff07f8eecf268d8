import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/** Name of the input variable that carries the time of a plan. */
export const PLAN_TIME_VARIABLE = 'plan_time';

/**
 * The time a plan is made, as an input of the plan: the Terraform variable `plan_time` (ISO 8601 UTC), which the
 * runner sets from its clock (`TF_VAR_plan_time="$(date -u +%Y-%m-%dT%H:%M:%SZ)"`, see examples/ci).
 *
 * Why a variable: conditions that compare dates with "now" must be decided by the plan, where a reviewer sees
 * them fail, and the synthesized configuration must not change with the clock (the second plan stays empty and
 * synth stays repeatable). Terraform and OpenTofu's `timestamp()` is unknown until apply, so a condition on it would
 * fail half-way through an apply; OpenTofu has no `plantimestamp()`. A variable is known during the plan, shown in
 * it, and kept in a saved plan for its apply. Publication times come from Vault (KV metadata); only "now" comes
 * from the runner. A plan without the variable fails at once with the variable's name.
 *
 * One per stack: {@link PlanClock.of} returns the stack's clock, creating it on first use.
 */
export class PlanClock extends Construct {
  /** The stack's clock, created on first use (construct id `PlanClock`, variable `plan_time`). */
  public static of(scope: Construct): PlanClock {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild('PlanClock');
    if (existing instanceof PlanClock) return existing;
    return new PlanClock(stack, 'PlanClock');
  }

  /** The variable. */
  public readonly variable: TerraformVariable;
  /** The plan's time (ISO 8601 UTC): a token. */
  public readonly now: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.variable = new TerraformVariable(this, 'Variable', {
      type: 'string',
      nullable: false,
      description:
        'Time of this plan, ISO 8601 UTC, from the runner clock: TF_VAR_plan_time="$(date -u +%Y-%m-%dT%H:%M:%SZ)". Bundle expiry and key rollout windows are checked against it.',
      validation: [
        {
          condition: `\${can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]{1,9})?Z$", var.${PLAN_TIME_VARIABLE})) && can(timeadd(var.${PLAN_TIME_VARIABLE}, "0s"))}`,
          errorMessage:
            'plan_time must be the time of the plan in ISO 8601 UTC, like 2026-12-02T05:40:00Z: set TF_VAR_plan_time="$(date -u +%Y-%m-%dT%H:%M:%SZ)" before planning.',
        },
      ],
    });
    this.variable.overrideLogicalId(PLAN_TIME_VARIABLE);
    this.now = this.variable.stringValue;
  }
}
