/**
 * The catalogue of rejected inputs: every bad input the issue lists, each built the way a user would
 * write it. `catalogue.test.ts` asserts the exact message of each.
 *
 * Two inputs can only be refused against what Vault holds, so their messages are asserted by the integration
 * suite on the real engine: a `version` lowered below Vault's latest version (signing-lifecycle, step 7) and a
 * bundle `sequence` lowered below the published one (bootstrap-rotation, 4a).
 */
import { App, Testing } from 'cdktf';
import { buildApp } from '../../../stacks/app';
import { dev } from '../../../stacks/environments';
import { EnvironmentConfig } from '../../../stacks/environment';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { checkScheduleChange } from '../../../lib/signing/verifier-set';

function stack(env: Partial<EnvironmentConfig>): void {
  new PlatformTrustStack(new App({ outdir: Testing.app().outdir }), { environment: { ...dev, ...env } });
}

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
  ['bundle sequence 0', () => stack({ bundle: { sequence: 0 } })],
  ['duplicate environment names', () => buildApp([dev, { ...dev }], { outdir: Testing.app().outdir })],
  ['control-plane URL not https', () => stack({ controlPlaneUrl: 'http://control.dev.platform.internal' })],
];
