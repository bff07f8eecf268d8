import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigIssuers } from '@cdktf/provider-vault/lib/pki-secret-backend-config-issuers';
import { PkiSecretBackendConfigUrls } from '@cdktf/provider-vault/lib/pki-secret-backend-config-urls';
import { PkiSecretBackendIntermediateCertRequest } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request';
import { PkiSecretBackendIntermediateSetSigned } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { PkiSecretBackendRootSignIntermediate } from '@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate';
import { Grant, IGrantable } from '../core/grant';
import {
  isToken,
  validateDistinctMountPaths,
  validateHttpsUrl,
  validateMountPath,
  validateName,
  validateSeconds,
} from '../core/validation';
import { ErrorCode, PlatformTrustError, missingConfig } from '../core/errors';
import { ttlOrder } from './private/errors';
import { issueRules, signCsrRules } from './private/grants';
import { PkiKeyType, checkKeyType } from './key-type';
import { validateDnsName } from './private/names';
import { NodeRoleSettings, nodeClientRoleConfig } from './private/node-client-role';
import { INodeCertTrust } from './types';

/** Defaults of `NodeCertAuthorityProps`, in seconds. */
export const NODE_CERT_DEFAULTS = {
  /** Default lifetime of a node certificate: 24 hours. */
  ttlSeconds: 86_400,
  /** Default longest lifetime a caller may ask for: 72 hours. */
  maxTtlSeconds: 259_200,
  /** Default lifetime of the intermediate certificate: 5 years. */
  intermediateTtlSeconds: 157_680_000,
  /** Default lifetime of the root certificate: 10 years. */
  rootTtlSeconds: 315_360_000,
} as const;

const DAY = 86_400;
const YEAR = 365 * DAY;

/** Props of {@link NodeCertAuthority}. */
export interface NodeCertAuthorityProps {
  /**
   * PKI mount of the issuing (intermediate) CA; the node roles live here.
   * Changing it creates a new CA (the old one is protected from destroy).
   */
  readonly mountPath: string;
  /**
   * PKI mount of the root CA, kept apart from the issuing mount so that the root key only ever
   * signs intermediates. Changing it creates a new root.
   * @default - `<mountPath>-root`
   */
  readonly rootMountPath?: string;
  /**
   * DNS suffix of node certificates: a node `gpu-0042` gets `gpu-0042.<nodeDomain>`. Any name under it is
   * allowed, the bare domain is not. The intermediate carries it as a name constraint (forces a new intermediate).
   */
  readonly nodeDomain: string;
  /**
   * Default lifetime of a node certificate, in seconds (renewal issues a new one).
   * @default 86400 (24 hours)
   */
  readonly ttlSeconds?: number;
  /**
   * Longest lifetime a caller may ask for, in seconds (at most 30 days).
   * @default 259200 (72 hours)
   */
  readonly maxTtlSeconds?: number;
  /**
   * Key type of node certificates (the CSR key must match for `sign`).
   * @default PkiKeyType.EC_P256
   */
  readonly keyType?: PkiKeyType;
  /**
   * Key type of the root and intermediate keys, generated inside Vault. Forces new CA keys.
   * @default PkiKeyType.EC_P384
   */
  readonly caKeyType?: PkiKeyType;
  /**
   * Lifetime of the root certificate, in seconds; also the root mount's maximum lease TTL.
   * Changing it later does not re-issue the root (the provider ignores TTL changes).
   * @default 315360000 (10 years)
   */
  readonly rootTtlSeconds?: number;
  /**
   * Lifetime of the intermediate certificate, in seconds; also the issuing mount's maximum lease TTL.
   * @default 157680000 (5 years)
   */
  readonly intermediateTtlSeconds?: number;
  /**
   * Common name of the root certificate. Forces a new root.
   * @default - "<nodeDomain> root CA"
   */
  readonly rootCommonName?: string;
  /**
   * Common name of the intermediate certificate. Forces a new intermediate.
   * @default - "<nodeDomain> issuing CA"
   */
  readonly intermediateCommonName?: string;
  /**
   * Base https URL where relying parties fetch CA certificates and CRLs. Certificates then carry
   * `<base>/<mount>/ca` (issuing certificate) and `<base>/<mount>/crl` (CRL distribution point).
   * Point it at the control plane (nodes never talk to Vault), not at Vault itself.
   * @default - no AIA or CRL URLs in issued certificates
   */
  readonly distributionBaseUrl?: string;
  /**
   * Name of the role the control plane uses at enrollment.
   * @default "node-enroll"
   */
  readonly enrollRoleName?: string;
  /**
   * Name of the role the control plane uses at renewal.
   * @default "node-renew"
   */
  readonly renewRoleName?: string;
  /**
   * Protect the mounts and CA certificates from `destroy` (lifecycle `prevent_destroy`).
   * Turn it off only for throw-away test servers.
   * @default true
   */
  readonly protectFromDestroy?: boolean;
}

/**
 * The node-certificate CA: a root in its own PKI mount and an intermediate in the issuing mount, both
 * generated inside Vault (`type = "internal"`: private keys never reach Terraform state), plus client-auth
 * roles for enrollment and renewal.
 *
 * Resources (construct ids): `RootMount`, `Root`, `RootIssuers`, [`RootUrls`], `Mount`, `IntermediateCsr`,
 * `IntermediateSigned`, `Intermediate`, `Issuers`, [`Urls`], `EnrollRole`, `RenewRole`.
 */
export class NodeCertAuthority extends Construct implements INodeCertTrust {
  /** Issuing mount path. */
  public readonly mountPath: string;
  /** Root mount path. */
  public readonly rootMountPath: string;
  /** Name of the enrollment role. Default: `node-enroll`. */
  public readonly enrollRoleName: string;
  /** Name of the renewal role. Default: `node-renew`. */
  public readonly renewRoleName: string;
  /** DNS suffix of node certificates. */
  public readonly nodeDomain: string;
  /** Issuing mount (the main resource). */
  public readonly mount: Mount;
  /** Root mount (`RootMount`). */
  public readonly rootMount: Mount;
  /** The root certificate, generated inside Vault (`Root`). */
  public readonly root: PkiSecretBackendRootCert;
  /** The signed intermediate, set on the issuing mount (`Intermediate`). */
  public readonly intermediate: PkiSecretBackendIntermediateSetSigned;
  /** Client-auth role the control plane issues with at enrollment (`EnrollRole`). */
  public readonly enrollRole: PkiSecretBackendRole;
  private readonly roleSettings: NodeRoleSettings;
  private readonly poolRoleNames: string[] = [];
  private readonly poolGrantees: IGrantable[] = [];
  /** Client-auth role the control plane issues with at renewal (`RenewRole`). */
  public readonly renewRole: PkiSecretBackendRole;
  /** PEM of the root certificate (token). */
  public readonly rootCertificatePem: string;
  /** PEM of the intermediate certificate (token). */
  public readonly intermediateCertificatePem: string;
  /** Node-cert CA chain, issuing CA first, root last (tokens). */
  public readonly caPems: readonly string[];
  /** The node-cert CA bundle (content of GPUAAS_NODE_CERT_CA_BUNDLE_PATH): the chain as one PEM text (token). */
  public readonly caChainPem: string;
  public readonly mountPaths: readonly string[];

  constructor(scope: Construct, id: string, props: NodeCertAuthorityProps) {
    super(scope, id);
    this.mountPath = validateMountPath('node-cert PKI mount path', props.mountPath);
    this.rootMountPath = validateMountPath(
      'node-cert root PKI mount path',
      props.rootMountPath ?? (isToken(props.mountPath) ? props.mountPath : `${props.mountPath}-root`),
    );
    if (props.rootMountPath === undefined && isToken(props.mountPath)) {
      throw missingConfig(
        'The node-cert root mount path cannot be derived from a token mount path.',
        props.mountPath,
        'pass rootMountPath explicitly.',
      );
    }
    validateDistinctMountPaths([
      { kind: 'node-cert issuing mount', path: this.mountPath },
      { kind: 'node-cert root mount', path: this.rootMountPath },
    ]);
    this.mountPaths = [this.mountPath, this.rootMountPath];
    this.nodeDomain = validateDnsName('node domain', props.nodeDomain);
    this.enrollRoleName = validateName('enrollment role name', props.enrollRoleName ?? 'node-enroll');
    this.renewRoleName = validateName('renewal role name', props.renewRoleName ?? 'node-renew');
    if (this.enrollRoleName === this.renewRoleName) {
      throw new PlatformTrustError(
        ErrorCode.DUPLICATE,
        'The enrollment and renewal roles need different names.',
        this.enrollRoleName,
        'give renewRoleName a name of its own (the default is "node-renew").',
      );
    }

    const rootTtl = validateSeconds(
      'rootTtlSeconds',
      props.rootTtlSeconds ?? NODE_CERT_DEFAULTS.rootTtlSeconds,
      YEAR,
      30 * YEAR,
    );
    const intTtl = validateSeconds(
      'intermediateTtlSeconds',
      props.intermediateTtlSeconds ?? NODE_CERT_DEFAULTS.intermediateTtlSeconds,
      30 * DAY,
      30 * YEAR,
    );
    const ttl = validateSeconds('ttlSeconds', props.ttlSeconds ?? NODE_CERT_DEFAULTS.ttlSeconds, 300, 30 * DAY);
    const maxTtl = validateSeconds(
      'maxTtlSeconds',
      props.maxTtlSeconds ?? NODE_CERT_DEFAULTS.maxTtlSeconds,
      300,
      30 * DAY,
    );
    if (!isToken(intTtl) && !isToken(rootTtl) && intTtl > rootTtl) {
      throw ttlOrder('intermediateTtlSeconds', intTtl, 'root lifetime', rootTtl);
    }
    if (!isToken(ttl) && !isToken(maxTtl) && ttl > maxTtl) throw ttlOrder('ttlSeconds', ttl, 'maxTtlSeconds', maxTtl);
    if (!isToken(maxTtl) && !isToken(intTtl) && maxTtl > intTtl) {
      throw ttlOrder('maxTtlSeconds', maxTtl, 'intermediate lifetime', intTtl);
    }
    const keyType = checkKeyType('keyType', props.keyType ?? PkiKeyType.EC_P256);
    const caKeyType = checkKeyType('caKeyType', props.caKeyType ?? PkiKeyType.EC_P384);
    const base =
      props.distributionBaseUrl === undefined
        ? undefined
        : validateHttpsUrl('distributionBaseUrl', props.distributionBaseUrl).replace(/\/+$/, '');
    const lifecycle = { preventDestroy: props.protectFromDestroy ?? true };
    const rootCommonName = props.rootCommonName ?? `${this.nodeDomain} root CA`;
    const intermediateCommonName = props.intermediateCommonName ?? `${this.nodeDomain} issuing CA`;

    // Root: its own mount, generated inside Vault; it only ever signs the intermediate.
    this.rootMount = new Mount(this, 'RootMount', {
      path: this.rootMountPath,
      type: 'pki',
      description: `Node-certificate root CA (${this.nodeDomain})`,
      maxLeaseTtlSeconds: rootTtl,
      lifecycle,
    });
    this.root = new PkiSecretBackendRootCert(this, 'Root', {
      backend: this.rootMount.path,
      type: 'internal',
      commonName: rootCommonName,
      issuerName: 'node-root',
      keyName: 'node-root-key',
      keyType: caKeyType.type,
      keyBits: caKeyType.bits,
      ttl: String(rootTtl),
      lifecycle,
    });
    const rootIssuers = new PkiSecretBackendConfigIssuers(this, 'RootIssuers', {
      backend: this.rootMount.path,
      default: this.root.issuerId,
      defaultFollowsLatestIssuer: false,
    });
    const rootUrls = base ? this.urls('RootUrls', this.rootMount, this.rootMountPath, base) : undefined;

    // Issuing CA: CSR generated inside Vault, signed by the root, then set on the issuing mount.
    this.mount = new Mount(this, 'Mount', {
      path: this.mountPath,
      type: 'pki',
      description: `Node-certificate issuing CA (${this.nodeDomain})`,
      defaultLeaseTtlSeconds: ttl,
      maxLeaseTtlSeconds: intTtl,
      lifecycle,
    });
    const csr = new PkiSecretBackendIntermediateCertRequest(this, 'IntermediateCsr', {
      backend: this.mount.path,
      type: 'internal',
      commonName: intermediateCommonName,
      keyName: 'node-intermediate-key',
      keyType: caKeyType.type,
      keyBits: caKeyType.bits,
      lifecycle,
    });
    const signed = new PkiSecretBackendRootSignIntermediate(this, 'IntermediateSigned', {
      backend: this.rootMount.path,
      csr: csr.csr,
      commonName: intermediateCommonName,
      issuerRef: this.root.issuerId,
      ttl: String(intTtl),
      maxPathLength: 0,
      permittedDnsDomains: [this.nodeDomain],
      format: 'pem',
      revoke: false,
      dependsOn: [rootIssuers, ...(rootUrls ? [rootUrls] : [])],
      lifecycle,
    });
    this.intermediate = new PkiSecretBackendIntermediateSetSigned(this, 'Intermediate', {
      backend: this.mount.path,
      certificate: signed.certificate,
      lifecycle,
    });
    // Only the intermediate is imported, so it is the one imported issuer; make it the default explicitly.
    const issuers = new PkiSecretBackendConfigIssuers(this, 'Issuers', {
      backend: this.mount.path,
      default: Fn.element(this.intermediate.importedIssuers, 0),
      defaultFollowsLatestIssuer: false,
    });
    const urls = base ? this.urls('Urls', this.mount, this.mountPath, base) : undefined;

    this.roleSettings = { keyType, ttl, maxTtl, dependsOn: [issuers, ...(urls ? [urls] : [])] };
    const role = (roleId: string, name: string) => this.createRole(roleId, name, this.nodeDomain);
    this.enrollRole = role('EnrollRole', this.enrollRoleName);
    this.renewRole = role('RenewRole', this.renewRoleName);

    this.rootCertificatePem = this.root.certificate;
    this.intermediateCertificatePem = signed.certificate;
    this.caPems = [this.intermediateCertificatePem, this.rootCertificatePem];
    this.caChainPem = `${this.intermediateCertificatePem}\n${this.rootCertificatePem}`;
  }

  /**
   * Lets the grantee (the control plane) issue and sign node certificates on the enrollment and renewal
   * roles: `update` on `<mount>/issue/<role>` and `<mount>/sign/<role>`, nothing else.
   */
  public grantIssue(grantee: IGrantable): Grant {
    return Grant.addToPolicy(
      grantee,
      'NodeCertAuthority.grantIssue',
      issueRules(this.mountPath, [this.enrollRoleName, this.renewRoleName]),
    );
  }

  /**
   * Like `grantIssue`, but `sign` (CSR) only: node private keys never pass through the control plane.
   */
  public grantSignCsr(grantee: IGrantable): Grant {
    return Grant.addToPolicy(
      grantee,
      'NodeCertAuthority.grantSignCsr',
      signCsrRules(this.mountPath, [this.enrollRoleName, this.renewRoleName]),
    );
  }

  /**
   * Adds a client-auth role for one node pool, with the enrollment role's settings (key type, TTLs, client
   * auth only) and names limited to subdomains of `<pool>.<nodeDomain>`. Its construct id is `Pool-<pool>`.
   * Every grantee of `grantIssueForPools` also gets issue and sign on it, whenever it is added.
   * @returns the role
   */
  public addNodePoolRole(pool: string): PkiSecretBackendRole {
    validateName('node pool name', pool, 'gpu-a100');
    const name = `${this.enrollRoleName}-${pool}`;
    const role = this.createRole(`Pool-${pool}`, name, `${pool}.${this.nodeDomain}`);
    this.poolRoleNames.push(name);
    for (const g of this.poolGrantees) this.grantPoolRoles(g, [name]);
    return role;
  }

  /**
   * Lets the grantee issue and sign on every node-pool role: `update` on issue/ and sign/ only. It covers the
   * pools added before this call (the returned grant lists their paths) and those added after it (each
   * `addNodePoolRole` adds its paths to the grantee's policy).
   */
  public grantIssueForPools(grantee: IGrantable): Grant {
    const grant = this.grantPoolRoles(grantee, this.poolRoleNames);
    this.poolGrantees.push(grantee);
    return grant;
  }

  private grantPoolRoles(grantee: IGrantable, roleNames: readonly string[]): Grant {
    return Grant.addToPolicy(grantee, 'NodeCertAuthority.grantIssueForPools', issueRules(this.mountPath, roleNames));
  }

  private createRole(roleId: string, name: string, domain: string): PkiSecretBackendRole {
    return new PkiSecretBackendRole(
      this,
      roleId,
      nodeClientRoleConfig(this.mount.path, name, domain, this.roleSettings),
    );
  }

  private urls(id: string, mount: Mount, mountPath: string, base: string): PkiSecretBackendConfigUrls {
    return new PkiSecretBackendConfigUrls(this, id, {
      backend: mount.path,
      issuingCertificates: [`${base}/${mountPath}/ca`],
      crlDistributionPoints: [`${base}/${mountPath}/crl`],
    });
  }
}
