/**
 * Apply-time signing of the bootstrap bundle: a `vault_generic_endpoint` write to `<mount>/sign/<key>` whose
 * response is kept, replaced through a `terraform_data` whenever what it signs changes. Nothing here runs in a
 * plan: the signature is known only after apply.
 */
import { Fn, ITerraformDependable, Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { BundleSignatureRole, declareElement } from '../core/declarations';
import { TerraformData } from '../core/terraform-data';

/** A key that signs the bundle during apply. */
export interface ApplyTimeSigner {
  readonly keyName: string;
  readonly mountPath: string;
  readonly activeVersion: number;
  readonly activeKid: string;
  readonly signingDependables: ITerraformDependable[];
}

/** One apply-time signature: the sign resource, what forces its replacement, and the raw signature. */
export interface ApplyTimeSignature {
  /** `vault_generic_endpoint` writing `<mount>/sign/<key>` during apply. */
  readonly resource: GenericEndpoint;
  /** `terraform_data` holding SHA-256 over what is signed; a change replaces `resource`. */
  readonly signedInput: TerraformData;
  /** Standard base64 of the raw signature (the third field of Vault's `vault:v<N>:<base64>`). A token. */
  readonly sig: string;
  /** Key id of the version that signs. A token. */
  readonly keyid: string;
}

/**
 * Signs `input` with the key's active version during apply: a `vault_generic_endpoint` writing
 * `<mount>/sign/<key>` (no read, no delete) that keeps the returned `signature`, replaced whenever the
 * `terraform_data` over what is signed changes. A postcondition checks that Vault signed with the pinned version.
 */
export function signAtApply(
  scope: Construct,
  id: string,
  triggerId: string,
  key: ApplyTimeSigner,
  input: string,
  role: BundleSignatureRole,
): ApplyTimeSignature {
  const path = `${key.mountPath}/sign/${key.keyName}`;
  // A string: the sign grants pin key_version as a string, and Vault matches a policy value only against the
  // same JSON type (transit reads the string as the number).
  const keyVersion = String(key.activeVersion);
  const signedInput = new TerraformData(scope, triggerId, {
    // terraform_data takes any value; a string keeps the plan short: the digest changes when anything signed does.
    input: Fn.sha256(Fn.jsonencode([path, keyVersion, input])),
  });
  const prefix = `vault:v${keyVersion}:`;
  const resource = new GenericEndpoint(scope, id, {
    path,
    dataJson: Fn.jsonencode({ input, key_version: keyVersion }),
    writeFields: ['signature'],
    disableRead: true,
    disableDelete: true,
    dependsOn: key.signingDependables,
    lifecycle: {
      // The address as a plain string: cdktf renders a dependable here as "${terraform_data.x}", which Terraform
      // refuses in replace_triggered_by (hashicorp/terraform-cdk#3196). Lazy, so an overridden logical id counts.
      replaceTriggeredBy: [Lazy.stringValue({ produce: () => signedInput.address })],
      postcondition: [
        {
          condition: `\${startswith(lookup(self.write_data, "signature", ""), "${prefix}")}`,
          errorMessage: `Vault did not sign the bootstrap bundle with version ${keyVersion} of transit key "${key.keyName}" (the signature does not start with "${prefix}"). Check the key's version floors and the apply identity's sign grant (key_version pinned to "${keyVersion}").`,
        },
      ],
    },
  });
  declareElement(resource, { bundle_signature: role });
  const sig = Token.asString(Fn.element(Fn.split(':', resource.writeData.lookup('signature')), 2));
  return { resource, signedInput, sig, keyid: key.activeKid };
}
