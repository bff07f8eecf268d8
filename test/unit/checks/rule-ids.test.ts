import {
  ALL_ELEMENTS,
  CheckLevel,
  PLATFORM_TRUST_RULES,
  PLATFORM_TRUST_RULE_IDS,
  PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS,
  PlatformTrustChecks,
} from '../../../lib/checks';

describe('PlatformTrust rule pack', () => {
  test('pins the list of rule ids, in pack order', () => {
    expect(PLATFORM_TRUST_RULE_IDS).toEqual([
      'PlatformTrust-TransitKeyExportable',
      'PlatformTrust-TransitKeyPlaintextBackup',
      'PlatformTrust-TransitKeyDeletable',
      'PlatformTrust-TransitKeyAutoRotate',
      'PlatformTrust-TransitKeySymmetricSigner',
      'PlatformTrust-TransitKeySymmetric',
      'PlatformTrust-SigningKeyPreventDestroy',
      'PlatformTrust-VerifierSetExplicit',
      'PlatformTrust-CaRootPreventDestroy',
      'PlatformTrust-PkiKeyExported',
      'PlatformTrust-PkiRoleAnyName',
      'PlatformTrust-PkiRoleTtlBounds',
      'PlatformTrust-PkiRoleServerAndClient',
      'PlatformTrust-PolicySudo',
      'PlatformTrust-PolicyBroadGlob',
      'PlatformTrust-PolicyKvGlob',
      'PlatformTrust-PolicyTransitKeyMaterial',
      'PlatformTrust-PolicyTransitKeyConfig',
      'PlatformTrust-PolicyUnparsable',
      'PlatformTrust-BundleSamePath',
      'PlatformTrust-BundleVaultAccess',
      'PlatformTrust-BundleSignedWithVerifiers',
      'PlatformTrust-NoPushToNodes',
      'PlatformTrust-BundleFreshnessBounded',
      'PlatformTrust-NoPlanTimeSigning',
      'PlatformTrust-BundleKeySignApplyOnly',
      'PlatformTrust-BundleSignedByBundleKey',
      'PlatformTrust-NonDeterministicValue',
      'PlatformTrust-SecretInConfig',
    ]);
    expect(PlatformTrustChecks.RULE_IDS).toBe(PLATFORM_TRUST_RULE_IDS);
  });

  test('pins the level of every rule', () => {
    const warnings = PLATFORM_TRUST_RULES.filter((r) => r.level === CheckLevel.WARNING).map((r) => r.id);
    expect(warnings).toEqual([
      'PlatformTrust-TransitKeySymmetric',
      'PlatformTrust-PolicyKvGlob',
      'PlatformTrust-PolicyTransitKeyConfig',
      'PlatformTrust-PolicyUnparsable',
    ]);
    expect(PLATFORM_TRUST_RULES.every((r) => r.level === CheckLevel.WARNING || r.level === CheckLevel.ERROR)).toBe(
      true,
    );
  });

  test('every rule has an id of the form PlatformTrust-<Rule>, a description and a fix', () => {
    for (const rule of PLATFORM_TRUST_RULES) {
      expect(rule.id).toMatch(/^PlatformTrust-[A-Z][A-Za-z]+$/);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.description.endsWith('.')).toBe(false);
      expect(rule.fix).toMatch(/\.$/);
    }
    expect(new Set(PLATFORM_TRUST_RULE_IDS).size).toBe(PLATFORM_TRUST_RULE_IDS.length);
  });

  test('pins the rules no suppression covers: custody, secrets and bundle signing', () => {
    expect(PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS).toEqual([
      'PlatformTrust-TransitKeyExportable',
      'PlatformTrust-TransitKeyPlaintextBackup',
      'PlatformTrust-TransitKeyDeletable',
      'PlatformTrust-PkiKeyExported',
      'PlatformTrust-PolicyTransitKeyMaterial',
      'PlatformTrust-NoPlanTimeSigning',
      'PlatformTrust-BundleKeySignApplyOnly',
      'PlatformTrust-BundleSignedByBundleKey',
      'PlatformTrust-SecretInConfig',
    ]);
    for (const rule of PLATFORM_TRUST_RULES) {
      expect(rule.suppressible === undefined || rule.suppressible === false).toBe(true);
    }
  });

  test('pins what each rule applies to (supportedResources)', () => {
    const POLICIES = ['vault_policy', 'data.vault_policy_document'];
    const TRANSIT_KEY_WRITES = ['vault_transit_secret_backend_key', 'vault_generic_endpoint', 'vault_generic_secret'];
    expect(Object.fromEntries(PLATFORM_TRUST_RULES.map((r) => [r.id, r.supportedResources]))).toEqual({
      'PlatformTrust-TransitKeyExportable': TRANSIT_KEY_WRITES,
      'PlatformTrust-TransitKeyPlaintextBackup': TRANSIT_KEY_WRITES,
      'PlatformTrust-TransitKeyDeletable': TRANSIT_KEY_WRITES,
      'PlatformTrust-TransitKeyAutoRotate': TRANSIT_KEY_WRITES,
      'PlatformTrust-TransitKeySymmetricSigner': TRANSIT_KEY_WRITES,
      'PlatformTrust-TransitKeySymmetric': TRANSIT_KEY_WRITES,
      'PlatformTrust-SigningKeyPreventDestroy': ['vault_transit_secret_backend_key'],
      'PlatformTrust-VerifierSetExplicit': ALL_ELEMENTS,
      'PlatformTrust-CaRootPreventDestroy': ['vault_pki_secret_backend_root_cert', 'vault_mount'],
      'PlatformTrust-PkiKeyExported': [
        'vault_pki_secret_backend_root_cert',
        'vault_pki_secret_backend_intermediate_cert_request',
        'vault_pki_secret_backend_key',
      ],
      'PlatformTrust-PkiRoleAnyName': ['vault_pki_secret_backend_role'],
      'PlatformTrust-PkiRoleTtlBounds': ['vault_pki_secret_backend_role'],
      'PlatformTrust-PkiRoleServerAndClient': ['vault_pki_secret_backend_role'],
      'PlatformTrust-PolicySudo': POLICIES,
      'PlatformTrust-PolicyBroadGlob': POLICIES,
      'PlatformTrust-PolicyKvGlob': POLICIES,
      'PlatformTrust-PolicyTransitKeyMaterial': POLICIES,
      'PlatformTrust-PolicyTransitKeyConfig': POLICIES,
      'PlatformTrust-PolicyUnparsable': POLICIES,
      'PlatformTrust-BundleSamePath': ALL_ELEMENTS,
      'PlatformTrust-BundleVaultAccess': ALL_ELEMENTS,
      'PlatformTrust-BundleSignedWithVerifiers': ALL_ELEMENTS,
      'PlatformTrust-NoPushToNodes': ['*'],
      'PlatformTrust-BundleFreshnessBounded': ALL_ELEMENTS,
      'PlatformTrust-NoPlanTimeSigning': ['data.vault_transit_sign'],
      'PlatformTrust-BundleKeySignApplyOnly': POLICIES,
      'PlatformTrust-BundleSignedByBundleKey': ['vault_generic_endpoint', 'vault_generic_secret'],
      'PlatformTrust-NonDeterministicValue': ALL_ELEMENTS,
      'PlatformTrust-SecretInConfig': ALL_ELEMENTS,
    });
    expect(ALL_ELEMENTS).toEqual(['*', 'data.*', 'local', 'output']);
  });

  test('refuses a rule that does not say what it applies to', () => {
    const bare = { ...PLATFORM_TRUST_RULES[0], supportedResources: [] as string[] };
    expect(() => new PlatformTrustChecks({ rules: [bare] })).toThrow(
      'rule PlatformTrust-TransitKeyExportable does not say what it applies to: it lists no resource types',
    );
    const odd = { ...PLATFORM_TRUST_RULES[0], supportedResources: ['vault policy'] };
    expect(() => new PlatformTrustChecks({ rules: [odd] })).toThrow('"vault policy" is not a selector');
  });

  test('only SecretInConfig runs over the whole stack', () => {
    expect(PLATFORM_TRUST_RULES.filter((r) => r.scope === 'stack').map((r) => r.id)).toEqual([
      'PlatformTrust-SecretInConfig',
    ]);
  });

  test('refuses a pack with a repeated rule id', () => {
    expect(() => new PlatformTrustChecks({ rules: [PLATFORM_TRUST_RULES[0], PLATFORM_TRUST_RULES[0]] })).toThrow(
      'rule id PlatformTrust-TransitKeyExportable appears twice',
    );
  });
});
