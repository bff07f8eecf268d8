import { Annotations, IAspect, TerraformElement, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { selectedJson, selectorProblems, selects } from './applies-to';
import { buildStackContext } from './private/context';
import { findingMessage, ruleFailedMessage } from './private/finding-text';
import { locationsOfFragment, resolvedFragment, splitLocation, viewsOfFragment } from './element-view';
import { PLATFORM_TRUST_RULES, PLATFORM_TRUST_RULE_IDS, PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS } from './rules';
import { RuleSuppression, SuppressionTarget, addSuppression, findSuppression } from './private/suppressions';
import {
  CheckLevel,
  CheckStatus,
  CheckedElement,
  ElementRule,
  PlatformTrustRule,
  StackContext,
  StackRule,
} from './types';

/** Options of the {@link PlatformTrustChecks} Aspect. */
export interface PlatformTrustChecksProps {
  /**
   * The rules to run. Every id must be unique.
   * @default - PLATFORM_TRUST_RULES, the whole pack
   */
  readonly rules?: readonly PlatformTrustRule[];
}

/** One finding, as reported. */
export interface PlatformTrustFinding {
  /** Id of the rule that found it (`PlatformTrust-<Rule>`). */
  readonly ruleId: string;
  /** The rule's level: the annotation is an error or a warning (info when suppressed). */
  readonly level: CheckLevel;
  /** Construct path the annotation is on. */
  readonly path: string;
  /** Terraform address of the element, when the finding is about one. */
  readonly address?: string;
  /** What exactly is wrong, as the rule reports it. */
  readonly detail: string;
  /** The annotation text. */
  readonly message: string;
  /** Set when a suppression covers the finding: it was reported as info. */
  readonly suppression?: RuleSuppression;
}

interface StackSnapshot {
  readonly views: Map<IConstruct, CheckedElement[]>;
  readonly context: StackContext;
  readonly locations: ReadonlyArray<{ readonly prefix: readonly string[]; readonly construct: IConstruct }>;
  /** The stack's elements merged as cdk.tf.json holds them, from the fragments resolved once for the views. */
  readonly json: Record<string, unknown>;
}

/**
 * The PlatformTrust guardrail pack: an Aspect that runs each rule over the resources, data sources, locals and
 * outputs of a stack that the rule says it applies to (`supportedResources`, like checkov's), whoever declared them
 * (this library's constructs or raw provider resources), and the stack rules over the synthesized stack.
 *
 * Findings are annotations: errors (`addError`, synth fails), warnings (`addWarning`), and info for findings a
 * suppression covers. Message: `[PlatformTrust-<Rule>] <description>. <detail>. Fix: <hint>`.
 *
 * ```ts
 * Aspects.of(stack).add(new PlatformTrustChecks());
 * PlatformTrustChecks.suppress(devCa, 'PlatformTrust-CaRootPreventDestroy', 'throw-away test server');
 * // One finding only: the rule on one element, and of its findings the one on this policy stanza.
 * PlatformTrustChecks.suppress(consumer, 'PlatformTrust-PolicyKvGlob', 'its own folder, by design', {
 *   elementPath: consumer.policy.resource.node.path,
 *   detail: 'path "kv/data/apps/billing/*"',
 * });
 * ```
 *
 * Each construct is checked once per instance, however often the app is synthesized. The stack rules and the
 * stack facts (which mounts are KV, which keys sign) are read when the Aspect visits the stack, before its
 * children: an Aspect that adds or changes resources after that is not seen by the stack rules. Add the pack to
 * the stack or the app: added to a construct below a stack, it checks the elements there but never visits the
 * stack, so the stack rules (SecretInConfig) do not run.
 */
export class PlatformTrustChecks implements IAspect {
  /** The ids of every rule of the pack. */
  public static readonly RULE_IDS: readonly string[] = PLATFORM_TRUST_RULE_IDS;

  /**
   * Suppresses a rule on a construct and everything below it, or, with `target`, one finding only: the rule on
   * one element (its Terraform address or its construct path, at or below `construct`), optionally narrowed to the
   * finding whose detail contains `target.detail`. The reason is required (at least 10 characters) and lands in
   * the synthesized JSON: in the stack's "//" block under `platform_trust_suppressions`, and in the resource's own
   * "//" block when `construct` is a resource. A suppressed finding is reported as info with the reason.
   * Rules that guard key custody or secrets (`PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS`) cannot be suppressed.
   * @throws PlatformTrustError PT036 for a rule that cannot be suppressed; PT035 for an unknown rule id, a missing
   *   or short reason, or a target that names no element or one outside `construct`
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string, target?: SuppressionTarget): void {
    addSuppression(construct, ruleId, reason, PLATFORM_TRUST_RULE_IDS, PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS, target);
  }

  /** Every finding this instance reported, in report order. */
  public readonly findings: PlatformTrustFinding[] = [];
  private readonly elementRules: readonly ElementRule[];
  private readonly stackRules: readonly StackRule[];
  private readonly visited = new WeakSet<IConstruct>();
  private readonly snapshots = new WeakMap<TerraformStack, StackSnapshot>();

  constructor(props: PlatformTrustChecksProps = {}) {
    const rules = props.rules ?? PLATFORM_TRUST_RULES;
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) throw new Error(`PlatformTrustChecks: rule id ${r.id} appears twice`);
      ids.add(r.id);
      const problems = selectorProblems(r.supportedResources);
      if (problems.length > 0) {
        throw new Error(`PlatformTrustChecks: rule ${r.id} does not say what it applies to: ${problems.join('; ')}`);
      }
    }
    this.elementRules = rules.filter((r): r is ElementRule => r.scope === 'element');
    this.stackRules = rules.filter((r): r is StackRule => r.scope === 'stack');
  }

  public visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (TerraformStack.isStack(node)) {
      this.checkStack(node);
      return;
    }
    if (!TerraformElement.isTerraformElement(node)) return;
    const snapshot = this.snapshot(TerraformStack.of(node));
    const views = snapshot.views.get(node) ?? viewsOfFragment(resolvedFragment(node), node.node.path);
    for (const view of views) {
      for (const rule of this.elementRules) {
        if (!selects(rule.supportedResources, view)) continue;
        let result;
        try {
          result = rule.check(view, snapshot.context);
        } catch (e) {
          this.ruleFailed(node, rule, e, view.address);
          continue;
        }
        if (result.status !== CheckStatus.NON_COMPLIANT) continue;
        for (const detail of result.details) this.report(node, rule, detail, view.address);
      }
    }
  }

  private checkStack(stack: TerraformStack): void {
    if (this.stackRules.length === 0) return;
    const snapshot = this.snapshot(stack);
    // The fragments were resolved once for the element views; merging them gives what cdk.tf.json holds
    // without resolving the whole stack a second time.
    const json = snapshot.json;
    for (const rule of this.stackRules) {
      let findings;
      try {
        findings = rule.check({ path: stack.node.path, json: selectedJson(json, rule.supportedResources) });
      } catch (e) {
        this.ruleFailed(stack, rule, e);
        continue;
      }
      for (const f of findings) {
        const target = f.location ? this.locate(snapshot, f.location) : undefined;
        this.report(target ?? stack, rule, f.detail);
      }
    }
  }

  private snapshot(stack: TerraformStack): StackSnapshot {
    const cached = this.snapshots.get(stack);
    if (cached) return cached;
    const views = new Map<IConstruct, CheckedElement[]>();
    const locations: Array<{ prefix: string[]; construct: IConstruct }> = [];
    const json: Record<string, unknown> = {};
    for (const c of stack.node.findAll()) {
      if (!TerraformElement.isTerraformElement(c) || TerraformStack.of(c) !== stack) continue;
      const fragment = resolvedFragment(c);
      deepMerge(json, fragment);
      views.set(c, viewsOfFragment(fragment, c.node.path));
      for (const prefix of locationsOfFragment(fragment)) locations.push({ prefix, construct: c });
    }
    const snapshot: StackSnapshot = {
      views,
      context: buildStackContext([...views.values()].flat()),
      locations,
      json,
    };
    this.snapshots.set(stack, snapshot);
    return snapshot;
  }

  private locate(snapshot: StackSnapshot, location: string): IConstruct | undefined {
    const segments = splitLocation(location);
    let best: { construct: IConstruct; length: number } | undefined;
    for (const { prefix, construct } of snapshot.locations) {
      if (prefix.length > segments.length || !prefix.every((p, i) => p === segments[i])) continue;
      if (!best || prefix.length > best.length) best = { construct, length: prefix.length };
    }
    return best?.construct;
  }

  private report(target: IConstruct, rule: PlatformTrustRule, detail: string, address?: string): void {
    // A rule that cannot be suppressed ignores any suppression recorded for it (by an older version, by hand).
    const suppression =
      rule.suppressible === false
        ? undefined
        : findSuppression(target, { ruleId: rule.id, path: target.node.path, address, detail });
    const message = findingMessage(rule, detail, suppression?.reason);
    const annotations = Annotations.of(target);
    if (suppression) annotations.addInfo(message);
    else if (rule.level === CheckLevel.ERROR) annotations.addError(message);
    else annotations.addWarning(message);
    this.findings.push({
      ruleId: rule.id,
      level: rule.level,
      path: target.node.path,
      ...(address !== undefined ? { address } : {}),
      detail,
      message,
      ...(suppression ? { suppression } : {}),
    });
  }

  /** A rule that throws is a bug in the rule: report it as a warning instead of failing the whole synth. */
  private ruleFailed(target: IConstruct, rule: PlatformTrustRule, error: unknown, address?: string): void {
    const reason = error instanceof Error ? error.message : String(error);
    const message = ruleFailedMessage(rule, reason, address);
    Annotations.of(target).addWarning(message);
    this.findings.push({
      ruleId: rule.id,
      level: CheckLevel.WARNING,
      path: target.node.path,
      ...(address !== undefined ? { address } : {}),
      detail: reason,
      message,
    });
  }
}

/** Merges `source` into `target` the way a stack merges its elements' fragments (objects merged by key). */
function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (
      existing !== null &&
      typeof existing === 'object' &&
      !Array.isArray(existing) &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      // Copy, so that merging later fragments never changes an earlier element's fragment.
      const copy: Record<string, unknown> = {};
      deepMerge(copy, value as Record<string, unknown>);
      target[key] = copy;
    } else {
      target[key] = value;
    }
  }
}
