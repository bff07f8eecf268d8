import { Op } from 'cdktf';
import { Construct } from 'constructs';
import { DataVaultPkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuer';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigIssuers } from '@cdktf/provider-vault/lib/pki-secret-backend-config-issuers';
import { PkiSecretBackendConfigUrls } from '@cdktf/provider-vault/lib/pki-secret-backend-config-urls';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { duplicate } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { isToken, validateHttpsUrl, validateMountPath, validateName, validateSeconds } from '../core/validation';
import { TrustRoot } from '../node/formats';
import { CertificatePemTrust, ControlPlaneTrustFromPemProps } from './certificate-pem-trust';
import { noServerNames, ttlOrder } from './private/errors';
import { issueRules } from './private/grants';
import { PkiKeyType, checkKeyType } from './key-type';
import { validateDnsName } from './private/names';
import { RootRotation, RootSchedule, rootSchedule } from './root-schedule';
import { ControlPlaneTrustSource, IControlPlaneTrust } from './types';

// The PEM-based trust lives in its own file; its names stay importable from here.
export { CertificatePemTrust } from './certificate-pem-trust';
export type { ControlPlaneTrustFromPemProps, PemRoot } from './certificate-pem-trust';

const DAY = 86_400;
const YEAR = 365 * DAY;

/** Defaults of `ControlPlaneTrustProps` and `RootIssuerSpec`, in seconds. */
export const CONTROL_PLANE_TRUST_DEFAULTS = {
  /** Default lifetime of a root certificate: 10 years. */
  rootTtlSeconds: 315_360_000,
  /** Default lifetime of the HTTPS server certificate: 30 days. */
  serverCertTtlSeconds: 2_592_000,
  /** Default longest lifetime of the HTTPS server certificate: 90 days. */
  serverCertMaxTtlSeconds: 7_776_000,
} as const;

/** One root issuer generated inside Vault. Every field except `ttlSeconds` forces a new root. */
export interface RootIssuerSpec {
  /**
   * Vault issuer name, unique in the mount. It also fixes the construct id (`Root-<issuerName>`),
   * so a root keeps its Terraform address whichever slot (root, rotation.next, retiredRoots) it is in.
   */
  readonly issuerName: string;
  /**
   * Common name of the root certificate.
   * @default - the issuer name
   */
  readonly commonName?: string;
  /**
   * Key type of the root key (generated inside Vault).
   * @default PkiKeyType.EC_P384
   */
  readonly keyType?: PkiKeyType;
  /**
   * Lifetime of the root certificate, in seconds. Changing it later does not re-issue the root.
   * @default 315360000 (10 years)
   */
  readonly ttlSeconds?: number;
}

/** Props of {@link ControlPlaneTrust}. */
export interface ControlPlaneTrustProps {
  /** PKI mount of the platform CA, apart from the node-cert mounts. Changing it creates a new CA. */
  readonly mountPath: string;
  /** The current root (after a rotation completes, the new root goes here). */
  readonly root: RootIssuerSpec;
  /**
   * A CA rotation in progress; see `RootRotationPhase` for the three one-line steps.
   * @default - no rotation: the bundle carries `root` only
   */
  readonly rotation?: RootRotation<RootIssuerSpec>;
  /**
   * Roots from finished rotations. They stay in Vault (and in the configuration, with the same spec,
   * so their resources are neither replaced nor destroyed) but leave the bundle.
   * @default - none
   */
  readonly retiredRoots?: readonly RootIssuerSpec[];
  /** DNS names the control plane's HTTPS certificate may carry (exact names, no subdomains). */
  readonly serverNames: readonly string[];
  /**
   * Name of the server-auth role for the control plane's HTTPS certificate.
   * @default "control-plane-https"
   */
  readonly serverRoleName?: string;
  /**
   * Default lifetime of the HTTPS certificate, in seconds.
   * @default 2592000 (30 days)
   */
  readonly serverCertTtlSeconds?: number;
  /**
   * Longest lifetime of the HTTPS certificate, in seconds (at most 398 days).
   * @default 7776000 (90 days)
   */
  readonly serverCertMaxTtlSeconds?: number;
  /**
   * Key type of the HTTPS certificate.
   * @default PkiKeyType.EC_P256
   */
  readonly serverKeyType?: PkiKeyType;
  /**
   * The date this configuration speaks for (ISO 8601 UTC), written in code and bumped by reviewers.
   * Rotation phases are checked against it; DROP_PREVIOUS requires it.
   * @default - no date checks
   */
  readonly asOf?: string;
  /**
   * Base https URL for AIA and CRL URLs in issued certificates (`<base>/<mount>/ca`, `<base>/<mount>/crl`).
   * @default - no AIA or CRL URLs
   */
  readonly distributionBaseUrl?: string;
  /**
   * Protect the mount and the root issuers from `destroy` (lifecycle `prevent_destroy`).
   * @default true
   */
  readonly protectFromDestroy?: boolean;
}

/**
 * The control plane's public HTTPS trust root, kept apart from the node-certificate PKI. By default a platform CA
 * in its own PKI mount: each root is an issuer generated inside Vault (`type = "internal"`), a server-auth role
 * issues the control plane's HTTPS certificate, and a CA rotation is declared in code (`rotation`).
 * For an existing CA, use `ControlPlaneTrust.fromCertificatePem`.
 *
 * Resources (construct ids): `Mount`, `Root-<issuerName>` for every declared root, `DefaultIssuer`,
 * [`Urls`], `ServerRole`, and in phases SWITCH / DROP_PREVIOUS the data source `NextIssuerPublished`.
 */
export class ControlPlaneTrust extends Construct implements IControlPlaneTrust {
  /**
   * Trust in an existing CA whose roots are given as PEM. The PEMs are checked at synth time: exactly one
   * self-signed CA certificate each, valid at `asOf`, no private key; their SPKI pins are computed here.
   * Creates no Vault resources.
   */
  public static fromCertificatePem(
    scope: Construct,
    id: string,
    props: ControlPlaneTrustFromPemProps,
  ): IControlPlaneTrust {
    return new CertificatePemTrust(scope, id, props);
  }

  /** Always `PLATFORM_CA`: the roots are generated inside Vault. */
  public readonly source = ControlPlaneTrustSource.PLATFORM_CA;
  public readonly mountPath: string;
  /** The PKI mount (main resource). */
  public readonly mount: Mount;
  /** Root issuers by issuer name. */
  public readonly issuers: Readonly<Record<string, PkiSecretBackendRootCert>>;
  /** The mount's default-issuer configuration. */
  public readonly defaultIssuer: PkiSecretBackendConfigIssuers;
  /** The server-auth role for the control plane's HTTPS certificate. */
  public readonly serverRole: PkiSecretBackendRole;
  /** Name of the server-auth role. Default: `control-plane-https`. */
  public readonly serverRoleName: string;
  /** What the rotation model decided (bundle entries, default issuer, declared roots). */
  public readonly schedule: RootSchedule;
  /** Bundle roots, current first; PEMs are tokens. */
  public readonly roots: readonly TrustRoot[];
  /** Issuer names of `roots`, same order. */
  public readonly rootNames: readonly string[];
  /** Issuer names of every root issuer this trust declares (bundle roots, a dropped previous root, retired roots). */
  public readonly knownRootNames: readonly string[];
  /** Undefined: the roots are generated inside Vault, so nodes derive pins from the signed PEMs. */
  public readonly pins = undefined;
  /** The public HTTPS CA bundle (content of GPUAAS_CA_BUNDLE_PATH): the published roots as one PEM text. */
  public readonly caBundlePem: string;

  constructor(scope: Construct, id: string, props: ControlPlaneTrustProps) {
    super(scope, id);
    this.mountPath = validateMountPath('control-plane PKI mount path', props.mountPath);
    const specs = new Map<string, RootIssuerSpec>();
    const add = (spec: RootIssuerSpec, kind: string) => {
      const name = validateName(`${kind} issuer name`, spec?.issuerName);
      if (specs.has(name)) {
        throw duplicate(
          'root issuer name',
          name,
          'each root (root, rotation.next, retiredRoots) needs its own issuerName.',
        );
      }
      specs.set(name, spec);
    };
    add(props.root, 'root');
    if (props.rotation) add(props.rotation.next, 'rotation.next');
    (props.retiredRoots ?? []).forEach((r) => add(r, 'retired root'));

    this.schedule = rootSchedule({
      current: props.root.issuerName,
      rotation: props.rotation && { ...props.rotation, next: props.rotation.next.issuerName },
      retired: (props.retiredRoots ?? []).map((r) => r.issuerName),
      asOf: props.asOf,
    });

    const lifecycle = { preventDestroy: props.protectFromDestroy ?? true };
    const ttls = [...specs.entries()].map(([name, spec]) =>
      validateSeconds(
        `ttlSeconds of root "${name}"`,
        spec.ttlSeconds ?? CONTROL_PLANE_TRUST_DEFAULTS.rootTtlSeconds,
        YEAR,
        30 * YEAR,
      ),
    );
    const serverTtl = validateSeconds(
      'serverCertTtlSeconds',
      props.serverCertTtlSeconds ?? CONTROL_PLANE_TRUST_DEFAULTS.serverCertTtlSeconds,
      3_600,
      398 * DAY,
    );
    const serverMaxTtl = validateSeconds(
      'serverCertMaxTtlSeconds',
      props.serverCertMaxTtlSeconds ?? CONTROL_PLANE_TRUST_DEFAULTS.serverCertMaxTtlSeconds,
      3_600,
      398 * DAY,
    );
    if (!isToken(serverTtl) && !isToken(serverMaxTtl) && serverTtl > serverMaxTtl) {
      throw ttlOrder('serverCertTtlSeconds', serverTtl, 'serverCertMaxTtlSeconds', serverMaxTtl);
    }
    const serverKeyType = checkKeyType('serverKeyType', props.serverKeyType ?? PkiKeyType.EC_P256);
    this.serverRoleName = validateName('server role name', props.serverRoleName ?? 'control-plane-https');
    const serverNames = checkServerNames(props.serverNames);

    this.mount = new Mount(this, 'Mount', {
      path: this.mountPath,
      type: 'pki',
      description: 'Control-plane public HTTPS CA',
      defaultLeaseTtlSeconds: serverTtl,
      maxLeaseTtlSeconds: Math.max(...ttls),
      lifecycle,
    });

    // Each root is its own resource, with an id fixed by its issuer name: adding one never touches another.
    const issuers: Record<string, PkiSecretBackendRootCert> = {};
    for (const name of this.schedule.declared) {
      const spec = specs.get(name)!;
      const keyType = checkKeyType(`keyType of root "${name}"`, spec.keyType ?? PkiKeyType.EC_P384);
      issuers[name] = new PkiSecretBackendRootCert(this, `Root-${name}`, {
        backend: this.mount.path,
        type: 'internal',
        commonName: spec.commonName ?? name,
        issuerName: name,
        keyName: `${name}-key`,
        keyType: keyType.type,
        keyBits: keyType.bits,
        ttl: String(spec.ttlSeconds ?? CONTROL_PLANE_TRUST_DEFAULTS.rootTtlSeconds),
        lifecycle,
      });
    }
    this.issuers = issuers;
    this.knownRootNames = Object.keys(issuers).sort();

    const defaultRoot = issuers[this.schedule.defaultRoot];
    let guard: DataVaultPkiSecretBackendIssuer | undefined;
    if (this.schedule.defaultRoot !== props.root.issuerName) {
      // SWITCH and DROP_PREVIOUS: the new root must already exist in Vault (created by an applied PUBLISH_NEXT),
      // so that nodes received it before it became the default. Read by literal mount and name: it is read at
      // plan time, and the plan fails if the issuer does not exist yet.
      guard = new DataVaultPkiSecretBackendIssuer(this, 'NextIssuerPublished', {
        backend: this.mountPath,
        issuerRef: this.schedule.defaultRoot,
      });
    }
    this.defaultIssuer = new PkiSecretBackendConfigIssuers(this, 'DefaultIssuer', {
      backend: this.mount.path,
      default: defaultRoot.issuerId,
      defaultFollowsLatestIssuer: false,
      lifecycle: guard
        ? {
            precondition: [
              {
                condition: Op.eq(guard.issuerId, defaultRoot.issuerId),
                errorMessage: `The issuer "${this.schedule.defaultRoot}" in Vault is not the one this configuration created: check the mount "${this.mountPath}" before switching the default issuer.`,
              },
            ],
          }
        : undefined,
    });

    let urls: PkiSecretBackendConfigUrls | undefined;
    if (props.distributionBaseUrl !== undefined) {
      const base = validateHttpsUrl('distributionBaseUrl', props.distributionBaseUrl).replace(/\/+$/, '');
      urls = new PkiSecretBackendConfigUrls(this, 'Urls', {
        backend: this.mount.path,
        issuingCertificates: [`${base}/${this.mountPath}/ca`],
        crlDistributionPoints: [`${base}/${this.mountPath}/crl`],
      });
    }

    this.serverRole = new PkiSecretBackendRole(this, 'ServerRole', {
      backend: this.mount.path,
      name: this.serverRoleName,
      issuerRef: 'default',
      allowedDomains: serverNames,
      allowBareDomains: true,
      allowSubdomains: false,
      allowGlobDomains: false,
      allowWildcardCertificates: false,
      allowLocalhost: false,
      allowIpSans: false,
      allowAnyName: false,
      enforceHostnames: true,
      serverFlag: true,
      clientFlag: false,
      codeSigningFlag: false,
      emailProtectionFlag: false,
      keyType: serverKeyType.type,
      keyBits: serverKeyType.bits,
      keyUsage: serverKeyType.leafKeyUsage,
      ttl: String(serverTtl),
      maxTtl: String(serverMaxTtl),
      generateLease: false,
      noStore: false,
      requireCn: false,
      useCsrCommonName: true,
      useCsrSans: true,
      basicConstraintsValidForNonCa: false,
      dependsOn: [this.defaultIssuer, ...(urls ? [urls] : [])],
    });

    this.rootNames = this.schedule.roots.map((r) => r.name);
    this.roots = this.schedule.roots.map((r) => ({
      pem: issuers[r.name].certificate,
      state: r.state,
      ...(r.until !== undefined ? { until: r.until } : {}),
    }));
    this.caBundlePem = this.roots.map((r) => r.pem).join('\n');
  }

  /**
   * Lets the grantee (the control plane) get its HTTPS certificate from the server-auth role:
   * `update` on `<mount>/issue/<role>` and `<mount>/sign/<role>`.
   */
  public grantIssueServerCert(grantee: IGrantable): Grant {
    return Grant.addToPolicy(
      grantee,
      'ControlPlaneTrust.grantIssueServerCert',
      issueRules(this.mountPath, [this.serverRoleName]),
    );
  }
}

function checkServerNames(names: readonly string[]): string[] {
  if (!Array.isArray(names) || names.length === 0) throw noServerNames(names);
  const seen = new Set<string>();
  for (const n of names) {
    validateDnsName('control-plane server name', n);
    if (seen.has(n)) throw duplicate('control-plane server name', n, 'list each name once.');
    seen.add(n);
  }
  return [...names];
}
