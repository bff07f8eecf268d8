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
 * Kept apart from the node-certificate PKI.
 */
export interface IControlPlaneTrust {
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
  /** The PKI mount of a platform CA; undefined for a CA given as PEM. */
  readonly mountPath?: string;
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
