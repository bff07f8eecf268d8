/**
 * What a construct of this library declares about one of its Terraform elements, for the guardrail checks: an
 * object under `DECLARATIONS_JSON_KEY` in the element's "//" block of cdk.tf.json. Terraform ignores "//" keys,
 * so a declaration changes nothing in Vault; the checks read it instead of parsing construct ids. Constructs
 * (the emitters) and lib/checks (the reader) use only the constants here, and a test checks that every value the
 * checks read is emitted.
 */
import { TerraformResource } from 'cdktf';
import { DECLARATIONS_JSON_KEY } from './declaration-key';

export { DECLARATIONS_JSON_KEY };

/** What an apply-time signature resource over a bootstrap bundle is for (declaration `bundle_signature`). */
export enum BundleSignatureRole {
  /** The signature by the bundle key's active version: what nodes holding a v2 bundle verify. */
  BUNDLE_KEY = 'bundle-key',
  /**
   * The signature by the task key's active version over the same payload, for nodes that still hold a v1 bundle
   * (which only know task keys) during the move to v2 (`BootstrapBundle` `migrateFromV1`).
   */
  MIGRATION_FROM_V1 = 'migration-from-v1',
}

/** The declarations an element may carry. */
export interface ElementDeclarations {
  readonly bundle_signature?: BundleSignatureRole;
}

/** Writes declarations into a resource's "//" block. */
export function declareElement(resource: TerraformResource, declarations: ElementDeclarations): void {
  resource.addOverride(`//.${DECLARATIONS_JSON_KEY}`, { ...declarations });
}
