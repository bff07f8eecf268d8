import { conflictingConfig, invalidCapability, invalidPolicyPath, invalidPolicyRule } from './errors';
import { isToken } from './validation';

/** Vault policy capabilities this library may grant. `sudo` is deliberately absent. */
export enum Capability {
  /** Write data to a path that does not exist yet (POST/PUT). */
  CREATE = 'create',
  /** Read data at a path (GET). */
  READ = 'read',
  /** Change data at a path that exists (POST/PUT); action endpoints such as transit sign and PKI issue need it. */
  UPDATE = 'update',
  /** Change part of the data at a path (PATCH). */
  PATCH = 'patch',
  /** Delete data at a path (DELETE). */
  DELETE = 'delete',
  /** List keys under a path (LIST); it never returns the values. */
  LIST = 'list',
  /** Refuse every access to the path; it wins over any other capability a token holds on it. */
  DENY = 'deny',
}

const CAPABILITY_ORDER: readonly string[] = [
  Capability.CREATE,
  Capability.READ,
  Capability.UPDATE,
  Capability.PATCH,
  Capability.DELETE,
  Capability.LIST,
  Capability.DENY,
];

/**
 * An allowed or denied parameter value. Vault compares values with their JSON type: `false` matches a request
 * that sends the boolean false, `"false"` only the string. Numbers are left out on purpose: Vault reads request
 * numbers as JSON numbers, which never equal a number written in a policy, so a numeric pin refuses everything.
 */
export type PolicyParameterValue = string | boolean;

/** One path stanza of a Vault policy. */
export interface PolicyRule {
  /** Path relative to the API root, for example "transit/sign/node-task-signer". */
  readonly path: string;
  /** Capabilities granted on the path. */
  readonly capabilities: readonly Capability[];
  /**
   * Request parameters that must be present.
   * @default - none required
   */
  readonly requiredParameters?: readonly string[];
  /**
   * Parameters the request may carry, each with its allowed values (empty list = any value).
   * When set, any parameter not listed is refused by Vault.
   * @default - any parameter
   */
  readonly allowedParameters?: Readonly<Record<string, readonly PolicyParameterValue[]>>;
  /**
   * Parameters the request may not carry (empty list = any value refused).
   * @default - none denied
   */
  readonly deniedParameters?: Readonly<Record<string, readonly PolicyParameterValue[]>>;
  /**
   * Allow a trailing glob ("*") in the path. Off by default: a glob grants more than a path does.
   * @default false
   */
  readonly allowGlob?: boolean;
}

interface MergedRule {
  capabilities: Set<string>;
  required?: Set<string>;
  allowed?: Map<string, Set<PolicyParameterValue>>;
  denied?: Map<string, Set<PolicyParameterValue>>;
}

/** Validates a policy path; returns it. Tokens are accepted unchecked. */
export function validatePolicyPath(path: string, allowGlob = false): string {
  if (isToken(path)) return path;
  if (typeof path !== 'string' || path.length === 0) throw invalidPolicyPath(path, 'it is empty');
  if (path.startsWith('/')) throw invalidPolicyPath(path, 'it starts with "/"');
  if (/\s/.test(path)) throw invalidPolicyPath(path, 'it contains whitespace');
  if (path.split('/').some((s) => s === '..' || s === '.'))
    throw invalidPolicyPath(path, 'it contains a "." or ".." segment');
  if (path.includes('//')) throw invalidPolicyPath(path, 'it contains an empty segment ("//")');
  const star = path.indexOf('*');
  if (star >= 0) {
    if (!allowGlob) throw invalidPolicyPath(path, 'it contains "*" but the rule did not opt in with allowGlob');
    if (star !== path.length - 1) throw invalidPolicyPath(path, '"*" may only appear once, at the end');
  }
  if (path.includes('"')) throw invalidPolicyPath(path, 'it contains a double quote');
  return path;
}

/**
 * A Vault policy as data: path rules merged per path, rendered to HCL deterministically
 * (paths sorted, capabilities in a fixed order), so the same grants always give the same text.
 */
export class PolicyDocument {
  private readonly rules = new Map<string, MergedRule>();

  /** Adds a rule; rules for the same path are merged (capabilities and parameter values united). */
  public addRule(rule: PolicyRule): this {
    const path = validatePolicyPath(rule.path, rule.allowGlob ?? false);
    if (!Array.isArray(rule.capabilities) || rule.capabilities.length === 0) {
      throw invalidPolicyRule(
        `A policy rule for "${path}" has no capabilities.`,
        rule.capabilities,
        'list at least one capability, such as Capability.READ.',
      );
    }
    for (const c of rule.capabilities) {
      if (!CAPABILITY_ORDER.includes(c)) throw invalidCapability(c, CAPABILITY_ORDER);
    }
    const existing = this.rules.get(path);
    const merged: MergedRule = existing ?? { capabilities: new Set() };
    const hadRules = existing !== undefined;
    rule.capabilities.forEach((c) => merged.capabilities.add(c));
    merged.required = mergeSet(merged.required, rule.requiredParameters, hadRules, path, 'required_parameters');
    merged.allowed = mergeMap(merged.allowed, rule.allowedParameters, hadRules, path, 'allowed_parameters');
    merged.denied = mergeMap(merged.denied, rule.deniedParameters, hadRules, path, 'denied_parameters');
    this.rules.set(path, merged);
    return this;
  }

  /** Merges every rule of another document into this one. */
  public merge(other: PolicyDocument): this {
    for (const r of other.toRules()) this.addRule(r);
    return this;
  }

  /** True when no rule has been added. */
  public get isEmpty(): boolean {
    return this.rules.size === 0;
  }

  /**
   * The merged rules, sorted by path. Vault applies only the most specific rule that matches a request,
   * so an exact path (or a longer glob) inside a glob would hide the glob's capabilities: each rule
   * therefore also carries the capabilities of every glob rule that covers it, and a request gets what
   * all the grants together say.
   */
  public toRules(): PolicyRule[] {
    const globs = [...this.rules.keys()].filter((p) => p.endsWith('*'));
    return [...this.rules.keys()].sort().map((path) => {
      const own = this.rules.get(path)!;
      let r = own;
      for (const glob of globs) {
        if (glob === path || !path.startsWith(glob.slice(0, -1))) continue;
        const covering = this.rules.get(glob)!;
        if (!sameConstraints(own, covering)) {
          throw conflictingConfig(
            `The grant on "${path}" lies inside the glob grant "${glob}", but the two carry different parameter constraints; Vault would apply only the more specific one.`,
            [path, glob],
            'give both grants the same parameter constraints, or grant them to different policies.',
          );
        }
        r = { ...r, capabilities: new Set([...r.capabilities, ...covering.capabilities]) };
      }
      return {
        path,
        capabilities: sortCapabilities(r.capabilities) as Capability[],
        ...(r.required ? { requiredParameters: [...r.required].sort() } : {}),
        ...(r.allowed ? { allowedParameters: mapToRecord(r.allowed) } : {}),
        ...(r.denied ? { deniedParameters: mapToRecord(r.denied) } : {}),
        allowGlob: path.endsWith('*'),
      };
    });
  }

  /** Capabilities the rendered rule for exactly this path carries (covering globs folded in), sorted. */
  public capabilitiesFor(path: string): string[] {
    return [...(this.toRules().find((r) => r.path === path)?.capabilities ?? [])];
  }

  /** Renders the policy as HCL. Deterministic: sorted paths, fixed capability order, sorted parameters. */
  public toHcl(): string {
    const out: string[] = [];
    for (const rule of this.toRules()) {
      out.push(`path "${rule.path}" {`);
      out.push(`  capabilities = [${rule.capabilities.map((c) => `"${c}"`).join(', ')}]`);
      if (rule.requiredParameters) {
        out.push(`  required_parameters = [${rule.requiredParameters.map((p) => JSON.stringify(p)).join(', ')}]`);
      }
      for (const [block, params] of [
        ['allowed_parameters', rule.allowedParameters],
        ['denied_parameters', rule.deniedParameters],
      ] as const) {
        if (!params) continue;
        out.push(`  ${block} = {`);
        for (const name of Object.keys(params).sort()) {
          out.push(`    ${JSON.stringify(name)} = [${params[name].map((v) => JSON.stringify(v)).join(', ')}]`);
        }
        out.push('  }');
      }
      out.push('}');
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }
}

function sameConstraints(a: MergedRule, b: MergedRule): boolean {
  const key = (r: MergedRule) =>
    JSON.stringify([
      r.required ? [...r.required].sort() : null,
      r.allowed ? mapToRecord(r.allowed) : null,
      r.denied ? mapToRecord(r.denied) : null,
    ]);
  return key(a) === key(b);
}

function sortCapabilities(caps: Set<string>): string[] {
  return CAPABILITY_ORDER.filter((c) => caps.has(c));
}

function mergeSet(
  current: Set<string> | undefined,
  incoming: readonly string[] | undefined,
  hadRules: boolean,
  path: string,
  block: string,
): Set<string> | undefined {
  if (incoming === undefined) {
    if (hadRules && current !== undefined) throw conflict(path, block);
    return current;
  }
  if (hadRules && current === undefined) throw conflict(path, block);
  const s = current ?? new Set<string>();
  incoming.forEach((v) => s.add(v));
  return s;
}

function mergeMap(
  current: Map<string, Set<PolicyParameterValue>> | undefined,
  incoming: Readonly<Record<string, readonly PolicyParameterValue[]>> | undefined,
  hadRules: boolean,
  path: string,
  block: string,
): Map<string, Set<PolicyParameterValue>> | undefined {
  if (incoming === undefined) {
    // An unconstrained grant on a path that already carries parameter constraints would silently widen them.
    if (hadRules && current !== undefined) throw conflict(path, block);
    return current;
  }
  if (hadRules && current === undefined) throw conflict(path, block);
  const m = current ?? new Map<string, Set<PolicyParameterValue>>();
  for (const [name, values] of Object.entries(incoming)) {
    const s = m.get(name) ?? new Set<PolicyParameterValue>();
    for (const v of values) {
      if (typeof v !== 'string' && typeof v !== 'boolean') {
        throw invalidPolicyRule(
          `The ${block} value of "${name}" on "${path}" is ${JSON.stringify(v)}: only strings and booleans can be pinned.`,
          v,
          'write the value as a string or a boolean; Vault never matches a number written in a policy against a request.',
        );
      }
      s.add(v);
    }
    m.set(name, s);
  }
  return m;
}

/** Booleans first, then strings; each group in order. */
function byParameterValue(a: PolicyParameterValue, b: PolicyParameterValue): number {
  if (typeof a !== typeof b) return typeof a === 'boolean' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function mapToRecord(m: Map<string, Set<PolicyParameterValue>>): Record<string, PolicyParameterValue[]> {
  const out: Record<string, PolicyParameterValue[]> = {};
  for (const k of [...m.keys()].sort()) out[k] = [...m.get(k)!].sort(byParameterValue);
  return out;
}

function conflict(path: string, block: string) {
  return conflictingConfig(
    `Two grants on "${path}" disagree: one constrains ${block} and one does not, so merging them would widen the constrained one.`,
    path,
    'grant the two to different policies, or give both grants the same parameter constraints.',
  );
}
