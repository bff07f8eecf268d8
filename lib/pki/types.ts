import type { IConstruct } from 'constructs';
import type { Grant, IGrantable } from '../core/grant';
import { TrustRoot } from '../node/formats';

/** Where the control plane's public HTTPS trust comes from. */
export enum ControlPlaneTrustSource {
  /** A platform CA generated inside Vault in its own PKI mount (the dev default). */
  PLATFORM_CA = 'platform-ca',
  /** An existing CA whose root certificates are given in code as PEM. */
  CERTIFICATE_PEM = 'certificate-pem',
}

/**
 * The trust root for the control plane's public HTTPS (GPUAAS_CA_BUNDLE_PATH).
 * Kept apart from the node-certificate PKI. Implementations are constructs (a stack may suppress a finding on
 * them) and carry their own grant: callers never test which class they hold.
 */
export interface IControlPlaneTrust extends IConstruct {
  /** Where the trust comes from: a platform CA inside Vault, or an existing CA given as PEM. */
  readonly source: ControlPlaneTrustSource;
  /** Roots for the bundle, current first (PEMs may be tokens). */
  readonly roots: readonly TrustRoot[];
  /**
   * SPKI pins (`sha256:<hex>`) of `roots`, in the same order, when every PEM is known at synth time.
   * Undefined for roots generated inside Vault: nodes derive the pins from the signed PEMs.
   */
  readonly pins?: readonly string[];
  /** Names of `roots`, same order (issuer names for a platform CA): they identify roots whose PEM is a token. */
  readonly rootNames?: readonly string[];
  /**
   * Names of every root this trust keeps, in the bundle or not (a platform CA keeps the issuers of dropped and retired
   * roots). The bundle keeps a publication record per name, so dropping a root from the bundle deletes nothing.
   * @default - `rootNames`
   */
  readonly knownRootNames?: readonly string[];
  /**
   * The PKI mount of a platform CA; undefined for a CA given as PEM. When set, the roots are Vault resources in
   * this mount (what `PlatformTrust-CaRootPreventDestroy` looks at).
   */
  readonly mountPath?: string;
  /**
   * Lets the grantee (the control plane) obtain the certificate it serves HTTPS with, wherever this trust issues
   * it. A platform CA grants `update` on `<mount>/issue/<role>` and `<mount>/sign/<role>` of its server-auth role.
   * A trust that issues nothing in Vault (a CA given as PEM: its operator issues the certificate) adds no rule and
   * returns an empty grant; its doc says why.
   * @returns the grant, so that tests can read the paths it added
   */
  grantIssueServerCert(grantee: IGrantable): Grant;
}

/** The node-certificate CA (GPUAAS_NODE_CERT_CA_BUNDLE_PATH). */
export interface INodeCertTrust {
  /** PEM certificates of the node-cert CA chain (issuing CA first, root last); tokens at synth time. */
  readonly caPems: readonly string[];
  /** The same chain as one PEM text (the content of GPUAAS_NODE_CERT_CA_BUNDLE_PATH). */
  readonly caChainPem: string;
  /** The PKI mounts the node certificates come from (issuing mount, root mount). */
  readonly mountPaths: readonly string[];
}
