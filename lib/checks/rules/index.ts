/**
 * The PlatformTrust rule pack: every rule, in the order the Aspect runs them. A test pins the list of ids.
 */
import { PlatformTrustRule } from '../types';
import { BundleSamePath } from './bundle-same-path';
import { CaRootPreventDestroy } from './ca-root-prevent-destroy';
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

export {
  BundleSamePath,
  CaRootPreventDestroy,
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
  // Bootstrap bundle (invariant 5)
  BundleSamePath,
  // Whole stack (invariant 6)
  SecretInConfig,
]);

/** The ids of every rule, in pack order. */
export const PLATFORM_TRUST_RULE_IDS: readonly string[] = Object.freeze(PLATFORM_TRUST_RULES.map((r) => r.id));
