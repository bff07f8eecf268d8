/**
 * The settings of a node certificate role (enrollment, renewal, one per node pool): client auth only, names under
 * one domain, no IPs, no wildcards, no server or code-signing use. Internal to lib/pki.
 */
import { ITerraformDependable } from 'cdktf';
import { PkiSecretBackendRoleConfig } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiKeyType } from '../key-type';

/** What every node role of one CA shares. */
export interface NodeRoleSettings {
  readonly keyType: PkiKeyType;
  readonly ttl: number;
  readonly maxTtl: number;
  readonly dependsOn: ITerraformDependable[];
}

/** The configuration of a client-auth role `name` on `backend` for names under `domain` (not the bare domain). */
export function nodeClientRoleConfig(
  backend: string,
  name: string,
  domain: string,
  { keyType, ttl, maxTtl, dependsOn }: NodeRoleSettings,
): PkiSecretBackendRoleConfig {
  return {
    backend,
    name,
    issuerRef: 'default',
    allowedDomains: [domain],
    allowSubdomains: true,
    allowBareDomains: false,
    allowGlobDomains: false,
    allowWildcardCertificates: false,
    allowLocalhost: false,
    allowIpSans: false,
    allowAnyName: false,
    enforceHostnames: true,
    serverFlag: false,
    clientFlag: true,
    codeSigningFlag: false,
    emailProtectionFlag: false,
    keyType: keyType.type,
    keyBits: keyType.bits,
    keyUsage: keyType.leafKeyUsage,
    ttl: String(ttl),
    maxTtl: String(maxTtl),
    generateLease: false,
    noStore: false,
    requireCn: true,
    useCsrCommonName: true,
    useCsrSans: true,
    basicConstraintsValidForNonCa: false,
    dependsOn,
  };
}
