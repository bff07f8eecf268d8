import { TerraformStack } from 'cdktf';

/**
 * Versions of the hashicorp/vault provider a stack accepts. The bindings (@cdktf/provider-vault 15.6.1)
 * were generated from 5.6.0 and pin exactly that version; every resource and attribute this library
 * uses is unchanged across 5.x from 5.6.0, so stacks accept any later 5.x (the integration tests run
 * 5.9.0, the build the Go module proxy serves).
 */
export const VAULT_PROVIDER_CONSTRAINT = '>= 5.6.0, < 6.0.0';

/** Sets the stack's hashicorp/vault version constraint to `VAULT_PROVIDER_CONSTRAINT`. */
export function acceptVaultProvider5x(stack: TerraformStack): void {
  stack.addOverride('terraform.required_providers.vault.version', VAULT_PROVIDER_CONSTRAINT);
}
