import { Lazy } from 'cdktf';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { Construct } from 'constructs';
import { missingGrantee } from './errors';
import { PolicyDocument, PolicyRule } from './policy-document';
import { validateName } from './validation';

/** Something that can receive Vault capabilities: it collects path rules into one policy. */
export interface IGrantable {
  /** The policy document the grants land in. */
  readonly policyDocument: PolicyDocument;
  /** Name of the Vault policy that holds the grants (what tokens and roles are bound to). */
  readonly policyName: string;
}

/** The result of a grant: who received it and which rules were added. Tests read `rules`. */
export class Grant {
  /**
   * The one grant primitive: adds `rules` to the grantee's policy document.
   * Every `grantX` helper in this library routes through here.
   */
  public static addToPolicy(grantee: IGrantable | undefined, what: string, rules: readonly PolicyRule[]): Grant {
    if (!grantee || !grantee.policyDocument) throw missingGrantee(what);
    for (const rule of rules) grantee.policyDocument.addRule(rule);
    return new Grant(grantee, rules);
  }

  private constructor(
    /** The consumer or policy whose document received the rules. */
    public readonly grantee: IGrantable,
    /** The path rules added, in the order given. */
    public readonly rules: readonly PolicyRule[],
  ) {}

  /** The paths this grant added, in the order given. */
  public get paths(): string[] {
    return this.rules.map((r) => r.path);
  }
}

/** Props of {@link VaultPolicy}. */
export interface VaultPolicyProps {
  /** Policy name in Vault. Lower case; see `validateName`. */
  readonly name: string;
}

/**
 * A Vault policy that collects grants. It renders one `vault_policy` whose text is produced
 * at synth time from every grant made to it, so a key or mount never writes policy text itself.
 */
export class VaultPolicy extends Construct implements IGrantable {
  public readonly policyDocument = new PolicyDocument();
  public readonly policyName: string;
  /** The underlying provider resource. */
  public readonly resource: Policy;

  constructor(scope: Construct, id: string, props: VaultPolicyProps) {
    super(scope, id);
    this.policyName = validateName('policy name', props.name);
    this.resource = new Policy(this, 'Resource', {
      name: this.policyName,
      policy: Lazy.stringValue({ produce: () => this.policyDocument.toHcl() }),
    });
    this.node.addValidation({
      validate: () =>
        this.policyDocument.isEmpty
          ? [
              `Policy "${this.policyName}" has no grants: grant it something or remove it (an empty policy grants nothing and misleads reviewers).`,
            ]
          : [],
    });
  }
}
