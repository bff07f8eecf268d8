/**
 * The PlatformTrust rule pack over Terraform JSON: a synthesized `cdk.tf.json` or a hand-written `*.tf.json`. The
 * same rules as the `PlatformTrustChecks` Aspect, read from the JSON instead of the constructs, so it runs on a
 * file without cdktf (no cdktf import here or below). Suppressions recorded in the JSON (the stack's "//" block,
 * `platform_trust_suppressions`) are honoured as the Aspect honours them; rules that cannot be suppressed ignore
 * them.
 */
import { selectedJson, selectorProblems, selects } from './applies-to';
import { buildStackContext } from './private/context';
import { findingMessage, ruleFailedMessage } from './private/finding-text';
import { splitLocation, viewsOfFragment } from './json-view';
import { PLATFORM_TRUST_RULES } from './rules';
import { RuleSuppression, SUPPRESSIONS_JSON_KEY, SuppressionTarget, covers } from './suppression-match';
import { CheckLevel, CheckStatus, CheckedElement, ElementRule, PlatformTrustRule, StackRule } from './types';

/** Options of `checkTerraformJson`. */
export interface JsonCheckOptions {
  /**
   * The rules to run. Every id must be unique.
   * @default - PLATFORM_TRUST_RULES, the whole pack
   */
  readonly rules?: readonly PlatformTrustRule[];
}

/** One finding of the JSON check. */
export interface JsonCheckFinding {
  /** Id of the rule that found it (`PlatformTrust-<Rule>`). */
  readonly ruleId: string;
  /** The rule's level (error or warning); by default an unsuppressed error fails the check. */
  readonly level: CheckLevel;
  /** Terraform address of the element the finding is on; absent for a finding on the whole file. */
  readonly address?: string;
  /** Construct path of the element (from its "//" metadata), else its address, else the stack name. */
  readonly path: string;
  /** What exactly is wrong, as the rule reports it. */
  readonly detail: string;
  /** `[<rule id>] <description>. <detail>. Fix: <hint>` (or the suppressed form). */
  readonly message: string;
  /** Set when a suppression recorded in the JSON covers the finding: it does not fail a check. */
  readonly suppression?: RuleSuppression;
}

/**
 * Runs the rule pack over Terraform JSON (the parsed object of a `cdk.tf.json` or `*.tf.json`). Findings come in
 * rule order per element, then the stack rules'.
 * @throws Error when `json` is not an object, or a rule id appears twice
 */
export function checkTerraformJson(json: unknown, options: JsonCheckOptions = {}): JsonCheckFinding[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('Terraform JSON must be an object at the top level');
  }
  const doc = json as Record<string, unknown>;
  const engineOutput = ['planned_values', 'resource_changes', 'prior_state', 'values'].find((k) => k in doc);
  if ('format_version' in doc && engineOutput !== undefined) {
    throw new Error(
      `this is the engine's JSON output of a plan or state (show -json: it has format_version and ${engineOutput}), not Terraform configuration JSON; check the configuration instead (cdk.tf.json, or *.tf.json), or explain the plan with platform-trust explain`,
    );
  }
  const rules = options.rules ?? PLATFORM_TRUST_RULES;
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new Error(`checkTerraformJson: rule id ${r.id} appears twice`);
    ids.add(r.id);
    const problems = selectorProblems(r.supportedResources);
    if (problems.length > 0) {
      throw new Error(`checkTerraformJson: rule ${r.id} does not say what it applies to: ${problems.join('; ')}`);
    }
  }
  const stackPath = stackNameOf(doc);
  const views = viewsOfFragment(doc, stackPath).map((v) => ({ ...v, path: constructPathOf(doc, v) ?? v.address }));
  const context = buildStackContext(views);
  const suppressions = suppressionsOf(doc);
  const findings: JsonCheckFinding[] = [];
  const report = (rule: PlatformTrustRule, detail: string, path: string, address?: string) => {
    const suppression =
      rule.suppressible === false
        ? undefined
        : suppressions.find(
            (s) =>
              (s.path === '' || s.path === path || path.startsWith(`${s.path}/`)) &&
              covers(s, { ruleId: rule.id, path, address, detail }),
          );
    findings.push({
      ruleId: rule.id,
      level: rule.level,
      ...(address !== undefined ? { address } : {}),
      path,
      detail,
      message: findingMessage(rule, detail, suppression?.reason),
      ...(suppression ? { suppression } : {}),
    });
  };
  const failed = (rule: PlatformTrustRule, e: unknown, path: string, address?: string) => {
    const reason = e instanceof Error ? e.message : String(e);
    findings.push({
      ruleId: rule.id,
      level: CheckLevel.WARNING,
      ...(address !== undefined ? { address } : {}),
      path,
      detail: reason,
      message: ruleFailedMessage(rule, reason, address),
    });
  };

  const elementRules = rules.filter((r): r is ElementRule => r.scope === 'element');
  for (const view of views) {
    for (const rule of elementRules) {
      if (!selects(rule.supportedResources, view)) continue;
      let result;
      try {
        result = rule.check(view, context);
      } catch (e) {
        failed(rule, e, view.path, view.address);
        continue;
      }
      if (result.status !== CheckStatus.NON_COMPLIANT) continue;
      for (const detail of result.details) report(rule, detail, view.path, view.address);
    }
  }
  for (const rule of rules.filter((r): r is StackRule => r.scope === 'stack')) {
    let stackFindings;
    try {
      stackFindings = rule.check({ path: stackPath, json: selectedJson(doc, rule.supportedResources) });
    } catch (e) {
      failed(rule, e, stackPath);
      continue;
    }
    for (const f of stackFindings) {
      const address = f.location ? addressOfLocation(f.location) : undefined;
      const view = address !== undefined ? views.find((v) => v.address === address) : undefined;
      report(rule, f.detail, view?.path ?? stackPath, view?.address);
    }
  }
  return findings;
}

/** The Terraform address of the element a JSON location (`resource.type.id.attr`) lies in, if any. */
export function addressOfLocation(location: string): string | undefined {
  const [top, a, b] = splitLocation(location);
  if (top === 'resource' && a !== undefined && b !== undefined) return `${a}.${b}`;
  if (top === 'data' && a !== undefined && b !== undefined) return `data.${a}.${b}`;
  if (top === 'locals' && a !== undefined) return `local.${a}`;
  if (top === 'output' && a !== undefined) return `output.${a}`;
  return undefined;
}

function objectAt(value: unknown, ...keys: string[]): Record<string, unknown> | undefined {
  let v = value;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** cdktf writes the stack name into the top-level "//" metadata; plain Terraform JSON has none. */
function stackNameOf(doc: Record<string, unknown>): string {
  const name = objectAt(doc, '//', 'metadata')?.stackName;
  return typeof name === 'string' ? name : '';
}

/** The construct path cdktf writes into an element's "//" metadata. */
function constructPathOf(doc: Record<string, unknown>, view: CheckedElement): string | undefined {
  const block =
    view.kind === 'resource' || view.kind === 'data'
      ? objectAt(doc, view.kind, view.type, view.logicalId)
      : view.kind === 'output'
        ? objectAt(doc, 'output', view.logicalId)
        : undefined;
  const path = objectAt(block, '//', 'metadata')?.path;
  return typeof path === 'string' ? path : undefined;
}

/** The suppressions recorded in the stack's "//" block, as the Aspect wrote them; malformed entries are skipped. */
function suppressionsOf(doc: Record<string, unknown>): RuleSuppression[] {
  const list = objectAt(doc, '//')?.[SUPPRESSIONS_JSON_KEY];
  if (!Array.isArray(list)) return [];
  const out: RuleSuppression[] = [];
  for (const item of list) {
    const o = objectAt(item);
    if (!o || typeof o.rule !== 'string' || typeof o.reason !== 'string' || typeof o.path !== 'string') continue;
    const f = objectAt(o.finding);
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const target: SuppressionTarget | undefined = f
      ? {
          ...(str(f.address) !== undefined ? { address: str(f.address) } : {}),
          ...(str(f.element_path) !== undefined ? { elementPath: str(f.element_path) } : {}),
          ...(str(f.detail) !== undefined ? { detail: str(f.detail) } : {}),
        }
      : undefined;
    out.push({ ruleId: o.rule, reason: o.reason, path: o.path, ...(target ? { target } : {}) });
  }
  return out;
}
