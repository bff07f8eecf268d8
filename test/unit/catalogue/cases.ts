/**
 * The catalogue of rejected inputs: every bad input the issue lists, each built the way a user would
 * write it, and at least one input for every error code (PT001 to PT036, but the retired PT012; the node side's
 * NT codes are in node-cases.ts). `catalogue.test.ts` asserts the exact message of each and that no code is
 * left without a case.
 *
 * Two inputs can only be refused against what Vault holds, so their messages are asserted by the integration
 * suite on the real engine: a `version` lowered below Vault's latest version (signing-lifecycle, step 7) and a
 * bundle `sequence` lowered below the published one (bootstrap-rotation, 4a).
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { buildApp } from '../../../stacks/app';
import { dev } from '../../../stacks/environments';
import { EnvironmentConfig } from '../../../stacks/environment';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { checkScheduleChange } from '../../../lib/signing/verifier-set';
import { TaskSigningKey } from '../../../lib/signing/task-signing-key';
import { BootstrapBundle } from '../../../lib/bootstrap/bootstrap-bundle';
import { Capability, Grant, PolicyDocument, parsePolicy } from '../../../lib/core';
import { PlatformTrustChecks } from '../../../lib/checks';
import { checkRootCertificate } from '../../../lib/pki/certificates';
import { RootRotationPhase, rootSchedule } from '../../../lib/pki/root-schedule';
import { checkPlanJson } from '../../../lib/review/plan-json';
import { AppRoleAuthBackend } from '../../../lib/secrets/approle-auth-backend';
import { AppRoleConsumer, TokenType } from '../../../lib/secrets/approle-consumer';
import { SigningCustody } from '../../../lib/secrets/custody';
import { kvRules } from '../../../lib/secrets/private/grant-rules';
import { KvOperation } from '../../../lib/secrets/kv-layout';
import { PlatformSecrets } from '../../../lib/secrets/platform-secrets';

function stack(env: Partial<EnvironmentConfig>): PlatformTrustStack {
  return new PlatformTrustStack(new App({ outdir: Testing.app().outdir }), { environment: { ...dev, ...env } });
}

/** A plain stack for constructs used on their own. */
function plain(): TerraformStack {
  return new TerraformStack(Testing.app(), 'catalogue');
}

const BACKEND = AppRoleAuthBackend.fromPath('dev-approle');
const REASON = 'reviewed in ticket OPS-1234, nothing to protect here';
// Built from parts so that no private key block is written in the source.
const PEM_PRIVATE_KEY = ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIB', '-----END EC PRIVATE KEY-----'].join('\n');

export const CASES: ReadonlyArray<readonly [string, () => void]> = [
  ['empty key name', () => stack({ taskSigning: { keyName: '', version: 1 } })],
  ['too long key name', () => stack({ taskSigning: { keyName: 'k'.repeat(65), version: 1 } })],
  ['key name with a slash', () => stack({ taskSigning: { keyName: 'team/signer', version: 1 } })],
  ['empty environment name', () => stack({ name: '' })],
  ['version 0', () => stack({ taskSigning: { version: 0 } })],
  ['negative version', () => stack({ taskSigning: { version: -2 } })],
  ['fractional version', () => stack({ taskSigning: { version: 1.5 } })],
  ['version lowered between two configs', () => checkScheduleChange({ version: 3 }, { version: 2 })],
  ['activeVersion above version', () => stack({ taskSigning: { version: 1, activeVersion: 2 } })],
  ['grace date malformed', () => stack({ taskSigning: { version: 2, grace: [{ version: 1, until: '31/12/2026' }] } })],
  [
    'grace dates in the wrong order',
    () =>
      stack({
        taskSigning: {
          version: 3,
          grace: [
            { version: 1, until: '2027-02-01T00:00:00Z' },
            { version: 2, until: '2027-01-01T00:00:00Z' },
          ],
        },
      }),
  ],
  [
    'grace for a version above version',
    () =>
      stack({ taskSigning: { version: 2, activeVersion: 1, grace: [{ version: 3, until: '2027-01-01T00:00:00Z' }] } }),
  ],
  [
    'grace for the active version',
    () => stack({ taskSigning: { version: 2, grace: [{ version: 2, until: '2027-01-01T00:00:00Z' }] } }),
  ],
  ['overlapping mount paths', () => stack({ mounts: { kv: 'dev/platform', transit: 'dev/platform/transit' } })],
  ['bundle sequence 0', () => stack({ bundle: { ...dev.bundle, sequence: 0 } })],
  ['duplicate environment names', () => buildApp([dev, { ...dev }], { outdir: Testing.app().outdir })],
  ['control-plane URL not https', () => stack({ controlPlaneUrl: 'http://control.dev.platform.internal' })],
  [
    'bundle expiry margin shorter than two refresh hints',
    () =>
      stack({
        bundle: {
          ...dev.bundle,
          freshness: { expires: '2027-02-01T00:00:00Z', refreshHintSeconds: 604800, expiryMarginDays: 5 },
        },
      }),
  ],
  [
    'compromised active version also set as activeVersion',
    () => stack({ taskSigning: { version: 2, activeVersion: 2, compromised: [2] } }),
  ],
  ['compromised version above version', () => stack({ taskSigning: { version: 2, compromised: [3] } })],
  // One case for each code that the cases above do not raise.
  ['mount path with an empty segment', () => stack({ mounts: { kv: 'dev//kv' } })],
  [
    'HMAC task signing key',
    () => new TaskSigningKey(plain(), 'Key', { name: 'signer', version: 1, keyType: 'hmac' as never }),
  ],
  ['sudo capability', () => new PolicyDocument().addRule({ path: 'sys/mounts', capabilities: ['sudo' as Capability] })],
  [
    'policy path with a leading slash',
    () => new PolicyDocument().addRule({ path: '/sys/mounts', capabilities: [Capability.READ] }),
  ],
  ['secret path leaving the mount', () => kvRules('dev/kv', '../sys/mounts', [KvOperation.READ])],
  ['grant without a consumer', () => Grant.addToPolicy(undefined, 'TaskSigningKey.grantSign', [])],
  [
    'the two CA bundles at one path',
    () =>
      stack({
        bundle: {
          ...dev.bundle,
          sequence: 1,
          paths: { publicHttpsBundle: '/etc/gpuaas/trust/ca.pem', nodeCertBundle: '/etc/gpuaas/trust/ca.pem' },
        },
      }),
  ],
  ['private key given as a root certificate', () => checkRootCertificate('control-plane root', PEM_PRIVATE_KEY)],
  [
    'token TTL below the minimum',
    () => new AppRoleConsumer(plain(), 'C', { roleName: 'dev-c', backend: BACKEND, tokenTtlSeconds: 30 }),
  ],
  ['bundle key that is the task key', () => stack({ bundleSigning: { keyName: 'node-task-signer', version: 1 } })],
  ['CIDR with host bits', () => stack({ controlPlane: { boundCidrs: ['10.20.0.5/16'] } })],
  ['secret path outside the layout', () => kvRules('dev/kv', 'secrets/x', [KvOperation.READ])],
  [
    'relative bundle file path',
    () => stack({ bundle: { ...dev.bundle, sequence: 1, paths: { publicHttpsBundle: 'etc/ca.pem' } } }),
  ],
  [
    'non-ASCII bundle file path',
    () =>
      stack({ bundle: { ...dev.bundle, sequence: 1, paths: { publicHttpsBundle: '/etc/gpuaas/trust/contrôle.pem' } } }),
  ],
  ['environment without taskSigning', () => stack({ taskSigning: undefined as never })],
  [
    'two grants on one path, one constrained',
    () =>
      new PolicyDocument()
        .addRule({
          path: 'transit/sign/k',
          capabilities: [Capability.UPDATE],
          allowedParameters: { key_version: ['1'] },
        })
        .addRule({ path: 'transit/sign/k', capabilities: [Capability.UPDATE] }),
  ],
  ['a root certificate that is no PEM', () => checkRootCertificate('control-plane root', 'not a certificate')],
  [
    'next root named like the current root',
    () =>
      rootSchedule({
        current: 'cp-root',
        rotation: { next: 'cp-root', overlapUntil: '2027-01-01T00:00:00Z', phase: RootRotationPhase.PUBLISH_NEXT },
      }),
  ],
  [
    'unknown AppRole token type',
    () =>
      new AppRoleConsumer(plain(), 'C', {
        roleName: 'dev-c',
        backend: BACKEND,
        tokenType: 'default-service' as TokenType,
      }),
  ],
  ['maxVersions 0', () => new PlatformSecrets(plain(), 'Secrets', { mountPath: 'dev/kv', maxVersions: 0 })],
  ['HSM custody', () => SigningCustody.hsm()],
  [
    'literal verifier set instead of a reference',
    () => {
      const s = stack({});
      new BootstrapBundle(s, 'Again', {
        environment: 'dev',
        sequence: 1,
        freshness: { expires: '2027-02-01T00:00:00Z' },
        controlPlaneUrl: 'https://control.dev.platform.internal',
        publicHttpsTrust: s.controlPlaneTrust,
        nodeCertTrust: s.nodeCertAuthority,
        signingKey: Object.assign(Object.create(s.taskSigningKey), { pubkeysJson: '{"format":"x"}' }),
        bundleSigningKey: s.bundleSigningKey,
        kvMountPath: s.secrets.mountPath,
        kvMount: s.secrets.mount,
      });
    },
  ],
  ['policy rule without capabilities', () => new PolicyDocument().addRule({ path: 'sys/mounts', capabilities: [] })],
  ['unreadable policy text', () => parsePolicy('path "sys/mounts" {')],
  ['state JSON given as a plan', () => checkPlanJson({ format_version: '1.0', values: {} })],
  [
    'suppression with a short reason',
    () => PlatformTrustChecks.suppress(plain(), 'PlatformTrust-PolicySudo', 'because'),
  ],
  [
    'suppression of a secrets rule',
    () => PlatformTrustChecks.suppress(plain(), 'PlatformTrust-SecretInConfig', REASON),
  ],
];
