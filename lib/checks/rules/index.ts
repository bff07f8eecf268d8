/**
 * The PlatformTrust rule pack: every rule, in the order the Aspect runs them. A test pins the list of ids.
 */
import { PlatformTrustRule } from '../types';
import { BundleKeySignApplyOnly } from './bundle-key-sign-apply-only';
import { BundleSamePath } from './bundle-same-path';
import { BundleSignedByBundleKey } from './bundle-signed-by-bundle-key';
import { BundleSignedWithVerifiers } from './bundle-signed-with-verifiers';
import { BundleVaultAccess } from './bundle-vault-access';
import { CaRootPreventDestroy } from './ca-root-prevent-destroy';
import { NoPlanTimeSigning } from './no-plan-time-signing';
import { BundleFreshnessBounded } from './bundle-freshness-bounded';
import { NoPushToNodes } from './no-push-to-nodes';
import { NonDeterministicValue } from './non-deterministic-value';
import { PkiKeyExported } from './pki-key-exported';
import { PkiRoleAnyName } from './pki-role-any-name';
import { PkiRoleServerAndClient } from './pki-role-server-and-client';
import { PkiRoleTtlBounds } from './pki-role-ttl-bounds';
import { PolicyBroadGlob } from './policy-broad-glob';
import { PolicyKvGlob } from './policy-kv-glob';
import { PolicySudo } from './policy-sudo';
import { PolicyTransitKeyConfig } from './policy-transit-key-config';
import { PolicyTransitKeyMaterial } from './policy-transit-key-material';
import { PolicyUnparsable } from './policy-unparsable';
import { SecretInConfig } from './secret-in-config';
import { SigningKeyPreventDestroy } from './signing-key-prevent-destroy';
import { TransitKeyAutoRotate } from './transit-key-auto-rotate';
import { TransitKeyDeletable } from './transit-key-deletable';
import { TransitKeyExportable } from './transit-key-exportable';
import { TransitKeyPlaintextBackup } from './transit-key-plaintext-backup';
import { TransitKeySymmetric } from './transit-key-symmetric';
import { TransitKeySymmetricSigner } from './transit-key-symmetric-signer';
import { VerifierSetExplicit } from './verifier-set-explicit';

export {
  BundleFreshnessBounded,
  BundleKeySignApplyOnly,
  BundleSamePath,
  BundleSignedByBundleKey,
  BundleSignedWithVerifiers,
  BundleVaultAccess,
  CaRootPreventDestroy,
  NoPlanTimeSigning,
  NoPushToNodes,
  NonDeterministicValue,
  PkiKeyExported,
  PkiRoleAnyName,
  PkiRoleServerAndClient,
  PkiRoleTtlBounds,
  PolicyBroadGlob,
  PolicyKvGlob,
  PolicySudo,
  PolicyTransitKeyConfig,
  PolicyTransitKeyMaterial,
  PolicyUnparsable,
  SecretInConfig,
  SigningKeyPreventDestroy,
  TransitKeyAutoRotate,
  TransitKeyDeletable,
  TransitKeyExportable,
  TransitKeyPlaintextBackup,
  TransitKeySymmetric,
  TransitKeySymmetricSigner,
  VerifierSetExplicit,
};

/** Every rule of the pack. */
export const PLATFORM_TRUST_RULES: readonly PlatformTrustRule[] = Object.freeze([
  // Transit keys (invariants 1-4)
  TransitKeyExportable,
  TransitKeyPlaintextBackup,
  TransitKeyDeletable,
  TransitKeyAutoRotate,
  TransitKeySymmetricSigner,
  TransitKeySymmetric,
  SigningKeyPreventDestroy,
  // Verifier set (invariant 4)
  VerifierSetExplicit,
  // PKI
  CaRootPreventDestroy,
  PkiKeyExported,
  PkiRoleAnyName,
  PkiRoleTtlBounds,
  PkiRoleServerAndClient,
  // Policies
  PolicySudo,
  PolicyBroadGlob,
  PolicyKvGlob,
  PolicyTransitKeyMaterial,
  PolicyTransitKeyConfig,
  PolicyUnparsable,
  // Bootstrap bundle (invariants 5 to 8)
  BundleSamePath,
  BundleVaultAccess,
  BundleSignedWithVerifiers,
  NoPushToNodes,
  BundleFreshnessBounded,
  // Bundle signing (invariants 10 and 11): not suppressible
  NoPlanTimeSigning,
  BundleKeySignApplyOnly,
  BundleSignedByBundleKey,
  // Every element (invariant 9)
  NonDeterministicValue,
  // Whole stack (invariant 6)
  SecretInConfig,
]);

/** The ids of every rule, in pack order. */
export const PLATFORM_TRUST_RULE_IDS: readonly string[] = Object.freeze(PLATFORM_TRUST_RULES.map((r) => r.id));

/** The ids of the rules no suppression covers (custody rules), in pack order. */
export const PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS: readonly string[] = Object.freeze(
  PLATFORM_TRUST_RULES.filter((r) => r.suppressible === false).map((r) => r.id),
);
