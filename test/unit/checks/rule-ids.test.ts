import {
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

  test('pins the rules no suppression covers: the bundle signing custody rules', () => {
    expect(PLATFORM_TRUST_UNSUPPRESSIBLE_RULE_IDS).toEqual([
      'PlatformTrust-NoPlanTimeSigning',
      'PlatformTrust-BundleKeySignApplyOnly',
      'PlatformTrust-BundleSignedByBundleKey',
    ]);
    for (const rule of PLATFORM_TRUST_RULES) {
      expect(rule.suppressible === undefined || rule.suppressible === false).toBe(true);
    }
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
