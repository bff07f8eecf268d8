/**
 * The CI runner's access to Vault for one stack, derived from the stack itself: what a refresh and plan read, and
 * what an apply writes. Nothing here is written by hand per stack:
 *
 * - **apply** = the apply identity's construct grants (`TaskSigningKey.grantRotate`, `BundleSigningKey.grantRotate`,
 *   `BootstrapBundle.grantPublish`, for each such construct in the stack: the runner policy, with its custody pins
 *   and its sign pin), then, for every element whose path no grant covers, the provider's access for that element
 *   (provider-access.ts), plus every read of the plan;
 * - **plan** = the reads of the provider's refresh, for every resource and data source in the stack, and nothing
 *   else: no create, update, delete or sudo. A read of an exact path that an apply grant covers with a glob (the
 *   publication records `<kv>/data/bootstrap/bundle-published/*`, one per key version) is widened to that glob, so
 *   the plan policy stays the same across a key's lifecycle, as the apply grants do;
 * - **sudo** = the paths Vault guards with sudo that an apply writes (enabling an auth method): rendered as their own
 *   policy, so the library's policy documents never hold sudo and a reviewer sees each such path by itself.
 *
 * A new construct brings its elements, and their access comes with them; an element of a type that has no entry in
 * provider-access.ts fails here with the type's name, before any CI run.
 */
import { TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { IConstruct } from 'constructs';
import { BootstrapBundle } from '../bootstrap/bootstrap-bundle';
import { resolvedFragment, viewsOfFragment } from '../checks/element-view';
import { Grant, IGrantable } from '../core/grant';
import { Capability, PolicyDocument, PolicyRule } from '../core/policy-document';
import { BundleSigningKey } from '../signing/bundle-signing-key';
import { TaskSigningKey } from '../signing/task-signing-key';
import { childTokenNeeded, grantNarrowerThanProvider, unresolvedAttribute, unsupportedElement } from './private/errors';
import { ElementConfig, PROVIDER_SELF, providerAccessEntry } from './provider-access';

/** The apply identity's grants that constructs of this library declare, by construct class. */
const APPLY_GRANTS: ReadonlyArray<(c: IConstruct, grantee: IGrantable) => Grant | undefined> = [
  (c, g) => (c instanceof TaskSigningKey ? c.grantRotate(g) : undefined),
  (c, g) => (c instanceof BundleSigningKey ? c.grantRotate(g) : undefined),
  (c, g) => (c instanceof BootstrapBundle ? c.grantPublish(g) : undefined),
];

/** `${<condition> ? "a" : "b"}` with two literal strings (no quote or `${` inside them). */
const CHOICE = /^\$\{.* \? "((?:[^"\\$]|\$(?!\{))*)" : "((?:[^"\\$]|\$(?!\{))*)"\}$/;
const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

interface ElementView {
  readonly address: string;
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly constructPath: string;
}

/** A policy document that is not a Vault policy: the grants made while deriving (never rendered by itself). */
class Collector implements IGrantable {
  public readonly policyDocument = new PolicyDocument();
  constructor(public readonly policyName: string) {}
}

/** The derived access of one stack. */
export class RunnerAccess {
  /** Derives the access of `stack` (call it once the stack is complete). */
  public static of(stack: TerraformStack): RunnerAccess {
    return new RunnerAccess(stack);
  }

  /** The reads a refresh and plan of the stack make, and nothing else. */
  public readonly planRules: readonly PolicyRule[];
  /** What an apply of the stack needs, sudo aside. */
  public readonly applyRules: readonly PolicyRule[];
  /** Paths an apply writes that Vault guards with sudo, sorted. */
  public readonly applySudoPaths: readonly string[];
  /** The provider's `skip_child_token` as synthesized (true, false, or undefined when not set). */
  public readonly skipChildToken: boolean | undefined;

  private constructor(
    /** The stack the access is derived from. */
    public readonly stack: TerraformStack,
  ) {
    const provider = stack.node.findAll().find((c): c is VaultProvider => c instanceof VaultProvider);
    const skip = provider?.skipChildTokenInput;
    this.skipChildToken = typeof skip === 'boolean' ? skip : undefined;

    const grants = new Collector('apply-grants');
    for (const c of stack.node.findAll()) for (const grant of APPLY_GRANTS) grant(c, grants);
    const granted = grants.policyDocument.toRules();

    const plan = new PolicyDocument();
    const apply = new PolicyDocument().merge(grants.policyDocument);
    const sudo = new Set<string>();
    PROVIDER_SELF.forEach((r) => {
      plan.addRule(r);
      apply.addRule(r);
    });

    const views = elementViews(stack);
    const byAddress = new Map(views.map((v) => [v.address, v]));
    for (const view of views) {
      const entry = providerAccessEntry(view.kind, view.type);
      if (!entry) throw unsupportedElement(view.address, view.constructPath);
      // An attribute chosen at plan time between literals (a rotation resource's path: rotate or adopt) gives the
      // access of every alternative.
      for (const config of configsOf(view, byAddress)) {
        const need = (name: string) => {
          const v = config.str(name);
          if (v === undefined) throw unresolvedAttribute(view.address, name, view.config[name]);
          return v;
        };
        const access = entry(config, need);
        for (const rule of access.plan) {
          plan.addRule(widened(rule, granted));
          addUncovered(apply, rule, granted);
        }
        for (const rule of access.apply) addUncovered(apply, rule, granted);
        (access.sudo ?? []).forEach((p) => sudo.add(p));
      }
    }
    this.planRules = plan.toRules();
    this.applyRules = apply.toRules();
    this.applySudoPaths = [...sudo].sort();
  }

  /** Grants the plan's reads to `grantee` (the plan role's policy). */
  public grantPlan(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, `RunnerAccess.grantPlan(${this.stack.node.id})`, this.planRules);
  }

  /** Grants what an apply needs, sudo aside, to `grantee` (the apply role's policy). */
  public grantApply(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, `RunnerAccess.grantApply(${this.stack.node.id})`, this.applyRules);
  }

  /**
   * The sudo policy of the apply role: `sudo` alone on each path of `applySudoPaths` (Vault unites the capabilities
   * of a token's policies on one path, so the apply policy's `create`/`update` there and this `sudo` together let
   * the apply enable the method). Empty string when the stack needs none.
   */
  public renderSudoPolicy(): string {
    return this.applySudoPaths.map((p) => `path "${p}" {\n  capabilities = ["sudo"]\n}\n`).join('');
  }

  /** Throws when the stack's provider would create a child token (a write the plan role may not make). */
  public requireSkipChildToken(): void {
    if (this.skipChildToken !== true) throw childTokenNeeded(this.stack.node.id, this.skipChildToken);
  }
}

/** Every resource and data source of the stack with its resolved config. */
function elementViews(stack: TerraformStack): ElementView[] {
  const out: ElementView[] = [];
  for (const c of stack.node.findAll()) {
    if (!TerraformResource.isTerraformResource(c) && !TerraformDataSource.isTerraformDataSource(c)) continue;
    for (const v of viewsOfFragment(resolvedFragment(c as TerraformElement), c.node.path)) {
      if (v.kind !== 'resource' && v.kind !== 'data') continue;
      out.push({ address: v.address, kind: v.kind, type: v.type, config: v.config, constructPath: v.path });
    }
  }
  return out;
}

/**
 * The element's configs: references `${type.id.attr}` to a literal attribute of another element followed, and one
 * config per alternative of an attribute chosen between literals (`${<condition> ? "a" : "b"}`).
 */
function configsOf(view: ElementView, byAddress: ReadonlyMap<string, ElementView>): ElementConfig[] {
  const follow = (value: unknown, depth: number): unknown => {
    if (typeof value !== 'string' || depth > 8) return value;
    const m = REFERENCE.exec(value);
    if (!m) return value;
    const target = byAddress.get(m[1]);
    return target ? follow(target.config[m[2]], depth + 1) : value;
  };
  const literal = (name: string) => {
    const v = follow(view.config[name], 0);
    return typeof v === 'string' && v.includes('${') ? undefined : v;
  };
  const make = (chosen: Readonly<Record<string, string>>): ElementConfig => ({
    str: (name) => {
      const v = chosen[name] ?? literal(name);
      return typeof v === 'string' ? v : undefined;
    },
    bool: (name) => {
      const v = literal(name);
      return typeof v === 'boolean' ? v : undefined;
    },
  });
  const choices = Object.entries(view.config)
    .map(([name, value]) => [name, typeof value === 'string' ? CHOICE.exec(value) : null] as const)
    .filter((e): e is readonly [string, RegExpExecArray] => e[1] !== null);
  if (choices.length !== 1) return [make({})];
  const [name, m] = choices[0];
  return [make({ [name]: m[1] }), make({ [name]: m[2] })];
}

/** The grant rules that cover `path`: the exact path, or a glob whose prefix it starts with. */
function covering(path: string, granted: readonly PolicyRule[]): PolicyRule | undefined {
  return (
    granted.find((g) => g.path === path) ??
    granted.find((g) => g.path.endsWith('*') && path.startsWith(g.path.slice(0, -1)))
  );
}

/** A plan read of an exact path that a grant covers with a glob becomes a read of that glob. */
function widened(rule: PolicyRule, granted: readonly PolicyRule[]): PolicyRule {
  const g = covering(rule.path, granted);
  return g && g.path !== rule.path && g.path.endsWith('*')
    ? { path: g.path, capabilities: [Capability.READ], allowGlob: true }
    : rule;
}

/**
 * Adds `rule` to the apply document unless a grant covers its path; a covering grant must carry every capability
 * the provider uses there (a grant narrower than the provider's calls would fail the apply with 403).
 */
function addUncovered(doc: PolicyDocument, rule: PolicyRule, granted: readonly PolicyRule[]): void {
  const g = covering(rule.path, granted);
  if (!g) {
    doc.addRule(rule);
    return;
  }
  const missing = rule.capabilities.filter((c) => !g.capabilities.includes(c));
  if (missing.length > 0) throw grantNarrowerThanProvider(rule.path, g.path, missing);
}
