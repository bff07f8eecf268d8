/**
 * The shapes every PlatformTrust check shares: a rule's level, what a rule sees (one synthesized element, plus
 * facts about its stack) and what a rule returns. Pure data; no cdktf import.
 */

/** How a finding is reported. */
export enum CheckLevel {
  /** An error annotation: `cdktf synth` fails. */
  ERROR = 'error',
  /** A warning annotation: synth goes on, the CLI prints it. */
  WARNING = 'warning',
}

/** The outcome of one rule on one element. */
export enum CheckStatus {
  /** The rule looked and found nothing wrong. */
  COMPLIANT = 'compliant',
  /** The rule found one or more problems, listed in `details`. */
  NON_COMPLIANT = 'non-compliant',
  /** The rule does not apply to the element, or cannot judge it at synth time (`reason` says why). */
  NOT_APPLICABLE = 'not-applicable',
}

/** What a rule returns. */
export type CheckResult =
  | {
      /** The element passes. */
      readonly status: CheckStatus.COMPLIANT;
    }
  | {
      /** The element fails. */
      readonly status: CheckStatus.NON_COMPLIANT;
      /** What exactly is wrong, quoting the offending values (one or more findings on the element). */
      readonly details: readonly string[];
    }
  | {
      /** The rule did not judge the element. */
      readonly status: CheckStatus.NOT_APPLICABLE;
      /** Why the rule did not look (other resource type, a value only known at apply time, ...). */
      readonly reason: string;
    };

/** The rule looked and found nothing wrong. */
export function compliant(): CheckResult {
  return { status: CheckStatus.COMPLIANT };
}

/** The rule found one or more problems; each detail becomes one annotation. */
export function nonCompliant(...details: string[]): CheckResult {
  return { status: CheckStatus.NON_COMPLIANT, details };
}

/** The rule does not apply to this element (or cannot judge it at synth time). */
export function notApplicable(reason: string): CheckResult {
  return { status: CheckStatus.NOT_APPLICABLE, reason };
}

/** Which part of the Terraform configuration an element renders to. */
export type ElementKind = 'resource' | 'data' | 'local' | 'output';

/**
 * One synthesized element as a rule sees it: the Terraform type and the configuration exactly as it lands in
 * `cdk.tf.json` (snake_case keys, tokens resolved to Terraform expressions such as "${vault_mount.x.path}",
 * the "//" metadata removed).
 */
export interface CheckedElement {
  /** Which block of the configuration the element renders to. */
  readonly kind: ElementKind;
  /** Terraform type ("vault_policy"); "locals" for a local, "output" for an output. */
  readonly type: string;
  /** Logical id in the synthesized JSON. */
  readonly logicalId: string;
  /** Terraform address: `vault_policy.Id`, `data.vault_transit_sign.Id`, `local.Id`, `output.Id`. */
  readonly address: string;
  /** Construct path, for messages. */
  readonly path: string;
  /**
   * The configuration block (resources, data sources, outputs) or `{ value: <expression> }` for a local.
   * JSON values only.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * What this library declares about the element (`"//".platform_trust_declares`, see lib/core/declarations.ts):
   * Terraform ignores it; rules may read it, never trust it alone.
   * @default - none
   */
  readonly declarations?: Readonly<Record<string, unknown>>;
}

/** A secrets-engine or auth mount declared in the stack with a literal path. */
export interface KnownMount {
  /** Address of the declaring resource (`vault_mount.Id`). */
  readonly address: string;
  /** Path without surrounding "/". */
  readonly path: string;
  /** Engine type: "kv", "transit", "pki", ... ("kv" with `kv_version`). */
  readonly type: string;
  /** KV version (1 or 2) for KV mounts. */
  readonly kvVersion?: number;
  /**
   * The resource's `path` attribute when it differs from `path` (an auth mount "approle" is addressed as
   * "auth/approle").
   */
  readonly attributePath?: string;
}

/** One path stanza of a Vault policy, whatever it was written in (HCL, JSON, `vault_policy_document`). */
export interface PolicyStanza {
  /** The path pattern as written (a trailing "*" and "+" segments are globs). */
  readonly path: string;
  /** Capabilities, lower case. A legacy `policy = "write"` is expanded to its capabilities. */
  readonly capabilities: readonly string[];
  /** Names listed in `allowed_parameters` (undefined: the stanza does not restrict parameters). */
  readonly allowedParameters?: readonly string[];
  /**
   * The values `allowed_parameters` lists for each name, as text (`false` and `"false"` both read "false"; an
   * empty list allows any value). Undefined when unknown.
   */
  readonly allowedValues?: Readonly<Record<string, readonly string[]>>;
  /** Names listed in `denied_parameters`. */
  readonly deniedParameters?: readonly string[];
  /** 1-based line of the stanza in the policy text (0 when it did not come from text). */
  readonly line: number;
}

/** A policy stanza and the element that declares it. */
export interface AddressedStanza {
  /** Address of the `vault_policy` (or `vault_policy_document` data source). */
  readonly address: string;
  /** The stanza, with `${vault_mount.<id>.path}` references replaced by the literal mount path when known. */
  readonly stanza: PolicyStanza;
}

/** A transit key declared in the stack (resource `vault_transit_secret_backend_key`). */
export interface KnownTransitKey {
  /** Address of the key resource (`vault_transit_secret_backend_key.Id`). */
  readonly address: string;
  /** Literal mount path, or undefined when it is only known at apply time. */
  readonly mount?: string;
  /** Literal key name, or undefined when it is an expression. */
  readonly name?: string;
  /** Key type; the provider default "aes256-gcm96" when unset; undefined when an expression. */
  readonly keyType?: string;
}

/**
 * Something in the stack that signs or verifies with a transit key (`data.vault_transit_sign`, `..._verify`, or a
 * sign write during apply).
 */
export interface TransitSigner {
  /** Address of the data source or sign write. */
  readonly address: string;
  /** Literal transit mount path. */
  readonly mount: string;
  /** Transit key name. */
  readonly key: string;
}

/**
 * A write to a transit sign endpoint during apply: a `vault_generic_endpoint` (or `vault_generic_secret`) whose
 * literal path is `<mount>/sign/<key>`.
 */
export interface SignWrite {
  /** Address of the `vault_generic_endpoint` (or `vault_generic_secret`). */
  readonly address: string;
  /** Transit mount path, from the literal path. */
  readonly mount: string;
  /** Transit key name, from the literal path. */
  readonly key: string;
  /** The request as written (`data_json`): what is signed and the key version. */
  readonly request: string;
  /** The bootstrap bundle payload type the request signs (it names it in the DSSE encoding), when it signs one. */
  readonly bundlePayloadType?: string;
  /** The role the element declares (`bundle_signature`), when it declares one. */
  readonly declaredRole?: string;
  /** What is signed, comparable between two writes (see `signedInputKey`). */
  readonly signedInput: string;
}

/** A transit key the stack gives a role (task key, bundle key), with why. */
export interface KeyRef {
  /** Transit key name. */
  readonly key: string;
  /** Literal mount path, when known; otherwise keys are matched by name. */
  readonly mount?: string;
  /** Why the key has the role, for details. */
  readonly evidence: string;
}

/**
 * Facts about the whole stack that some element rules need (which mounts are KV, which keys sign). Built once
 * per stack from every element's view, so a rule stays a pure function of (element, context).
 */
export interface StackContext {
  /** The mounts declared with a literal path. */
  readonly mounts: readonly KnownMount[];
  /** Every policy stanza of the stack, with the element that declares it. */
  readonly policyStanzas: readonly AddressedStanza[];
  /** Every transit key resource of the stack. */
  readonly transitKeys: readonly KnownTransitKey[];
  /** Every data source and sign write that signs or verifies with a literal transit mount and key. */
  readonly transitSigners: readonly TransitSigner[];
  /**
   * Backends of `vault_pki_secret_backend_root_cert` resources: literal mount paths and the addresses of the
   * mounts they reference.
   */
  readonly pkiRootBackends: readonly string[];
  /**
   * What the stack signs: the `input` (or `batch_input`) text of every `data.vault_transit_sign` and the request
   * (`data_json`) of every sign write.
   */
  readonly signedInputs: readonly string[];
  /** Every sign write made during apply. */
  readonly signWrites: readonly SignWrite[];
  /** The sign writes that sign a bootstrap bundle payload. */
  readonly bundleSignatures: readonly SignWrite[];
  /** Keys named by a task verifier set. */
  readonly taskKeys: readonly KeyRef[];
  /** Keys that sign bundles (see lib/checks/private/bundle-signing.ts for how they are told apart). */
  readonly bundleKeys: readonly KeyRef[];
}

/** What every rule carries, element and stack rules alike. */
export interface CheckRuleInfo {
  /** `PlatformTrust-<Rule>`. Stable: suppressions and tests name it. */
  readonly id: string;
  /** Whether a finding fails synth (error) or only warns. */
  readonly level: CheckLevel;
  /** What the rule guards, as one sentence without the final period. */
  readonly description: string;
  /** How to fix a finding, as one or more sentences. */
  readonly fix: string;
  /**
   * The elements the rule applies to, as checkov's `supported_resources`: Terraform types (`vault_policy`),
   * data sources (`data.vault_policy_document`), `local`, `output`, or the wildcards `*` (every resource) and
   * `data.*` (see lib/checks/applies-to.ts). The engine runs an element rule only on the elements these select,
   * and hands a stack rule only their part of the stack JSON.
   */
  readonly supportedResources: readonly string[];
  /**
   * Whether a suppression may cover the rule's findings. Rules that guard key custody or secrets are not
   * suppressible: a suppression of one is refused (PT036), and its findings are reported whatever suppression is
   * recorded.
   * @default true
   */
  readonly suppressible?: boolean;
}

/** A rule over one synthesized element. Pure: the same element and context give the same result. */
export interface ElementRule extends CheckRuleInfo {
  /** Always `element`: the rule runs on each selected element. */
  readonly scope: 'element';
  /** Judges one element, with the stack's facts. */
  check(element: CheckedElement, context: StackContext): CheckResult;
}

/** The whole synthesized stack as a stack rule sees it. */
export interface CheckedStack {
  /** Construct path of the stack. */
  readonly path: string;
  /** The synthesized Terraform JSON (what `cdk.tf.json` holds). */
  readonly json: Readonly<Record<string, unknown>>;
}

/** One finding of a stack rule. */
export interface StackFinding {
  /** What exactly is wrong, quoting the offending values. */
  readonly detail: string;
  /**
   * Where in the JSON (`resource.vault_kv_secret_v2.Id.data_json`); the finding is reported on the construct
   * that renders it, or on the stack when none does.
   */
  readonly location?: string;
}

/** A rule over a whole synthesized stack. Pure. */
export interface StackRule extends CheckRuleInfo {
  /** Always `stack`: the rule runs once on the stack's JSON. */
  readonly scope: 'stack';
  /** Finds the problems in one stack; empty when there are none. */
  check(stack: CheckedStack): readonly StackFinding[];
}

/** Any rule of the pack. */
export type PlatformTrustRule = ElementRule | StackRule;

/** An empty context: for unit tests of rules that do not need stack facts. */
export const EMPTY_CONTEXT: StackContext = Object.freeze({
  mounts: [],
  policyStanzas: [],
  transitKeys: [],
  transitSigners: [],
  pkiRootBackends: [],
  signedInputs: [],
  signWrites: [],
  bundleSignatures: [],
  taskKeys: [],
  bundleKeys: [],
});
