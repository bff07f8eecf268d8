import { ITerraformDependable } from 'cdktf';
import { Grant, IGrantable } from '../core/grant';
import type { VerifierPlan } from './verifier-set';

/**
 * What other constructs (the bootstrap bundle, stacks) need from a task signing key.
 * Attributes that come from Vault are tokens at synth time.
 */
export interface ITaskSigningKey {
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path. */
  readonly mountPath: string;
  /** Version the control plane signs with (a plain number from code). */
  readonly activeVersion: number;
  /**
   * Compact JSON of the verifier set (format `gpuaas-task-signing-pubkeys/v1`, see lib/node/formats.ts):
   * the value of GPUAAS_TASK_SIGNING_PUBKEYS. A token; after an apply that rotates, it already holds
   * the new public key in that same apply.
   */
  readonly pubkeysJson: string;
  /** Key id (`VerifierEntry.kid`) of the active version. A token. */
  readonly activeKid: string;
  /**
   * Resources that must be applied before anything signs with the active version
   * (rotations and the version floors). Depend on these when signing at apply time.
   */
  readonly signingDependables: ITerraformDependable[];
  /**
   * The version schedule from code (versions, states, grace ends). The bootstrap bundle's sequence guard counts it,
   * so a pre-published or retired version at an unchanged sequence fails the plan.
   * @default - only the active version is counted
   */
  readonly plan?: VerifierPlan;
  /** Lets the grantee sign with the active version only (`key_version` pinned). */
  grantSign(grantee: IGrantable): Grant;
  /** Lets the grantee read the public keys (`transit/keys/<name>` read). */
  grantReadPublicKeys(grantee: IGrantable): Grant;
}

/**
 * What other constructs (the bootstrap bundle, stacks) need from a bundle signing key. Attributes that come from
 * Vault are tokens at synth time. There is no sign grant: only the apply identity signs a bundle, during apply
 * (`BootstrapBundle.grantPublish`).
 */
export interface IBundleSigningKey {
  /** Transit key name. */
  readonly keyName: string;
  /** Transit mount path. */
  readonly mountPath: string;
  /** Version that signs the bundle (a plain number from code). */
  readonly activeVersion: number;
  /**
   * Compact JSON of the bundle key set (format `cdktf-platform-trust/bundle-keys/v1`, see lib/node/formats.ts),
   * carried in the bundle as `bundle_keys.set`. A token.
   */
  readonly keySetJson: string;
  /** Key id of the active version (`<key>:v<version>:<16 hex>`). A token. */
  readonly activeKid: string;
  /** Pin of the active version (`sha256:` + 64 hex): what a node enrols with. A token. */
  readonly activePin: string;
  /**
   * Resources that must be applied before anything signs with the active version (rotations and the version
   * floors). Depend on these when signing at apply time.
   */
  readonly signingDependables: ITerraformDependable[];
  /**
   * The version schedule from code (versions, states, grace ends). The bootstrap bundle's sequence guard counts it,
   * so a pre-published or retired version at an unchanged sequence fails the plan.
   * @default - only the active version is counted
   */
  readonly plan?: VerifierPlan;
  /**
   * During an emergency rotation of this key (its active version listed as compromised, the code still naming it as
   * `version`): the compromised version that signs the bundle once more next to the new active version, so that
   * nodes, which accept a bundle only under a bundle key they hold, take the bundle that revokes it.
   * @default - none
   */
  readonly handover?: {
    /** The compromised version that signs once more. */
    readonly version: number;
    /** Its key id (`<key>:v<version>:<16 hex>`). A token. */
    readonly kid: string;
  };
  /** Lets the grantee read the public keys (`<mount>/keys/<name>` read). */
  grantReadPublicKeys(grantee: IGrantable): Grant;
}
