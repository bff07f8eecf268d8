import { BundleFreshnessBounded, CheckStatus } from '../../../lib/checks';
import { BUNDLE_SCHEMA_V2 } from '../../../lib/node/formats';
import { contextOf, detailsOf, element, resource } from './helpers';

/** The bundle local as BootstrapBundle renders it, with the given freshness member (HCL text). */
const bundleLocal = (freshness: string | undefined) =>
  element(
    'local',
    'locals',
    {
      value: `\${jsonencode({"schema" = "${BUNDLE_SCHEMA_V2}", "sequence" = 3${freshness === undefined ? '' : `, "freshness" = ${freshness}`}, "env" = {}})}`,
    },
    'BundleJson',
  );

/** The published secret with the expiry preconditions BootstrapBundle declares for `days` of validity. */
const secret = (days: number) =>
  resource(
    'vault_kv_secret_v2',
    {
      mount: 'dev/kv',
      name: 'bootstrap/bundle',
      lifecycle: {
        precondition: [
          { condition: '${timecmp("2027-02-01T00:00:00Z", timeadd(var.plan_time, "120h")) > 0}', error_message: 'x' },
          {
            condition: `\${timecmp("2027-02-01T00:00:00Z", timeadd(var.plan_time, "${days * 24}h")) <= 0}`,
            error_message: 'y',
          },
        ],
      },
    },
    'Secret',
  );

describe('BundleFreshnessBounded', () => {
  test('GIVEN the bundle with a literal expiry and a 90-day bound THEN compliant', () => {
    const b = bundleLocal('{"expires" = "2027-02-01T00:00:00Z", "refresh_hint_seconds" = 3600}');
    expect(BundleFreshnessBounded.check(b, contextOf(b)).status).toBe(CheckStatus.COMPLIANT);
    const s = secret(90);
    expect(BundleFreshnessBounded.check(s, contextOf(s)).status).toBe(CheckStatus.COMPLIANT);
  });

  test('GIVEN a bundle v2 without freshness THEN error: nodes would trust it forever', () => {
    const b = bundleLocal(undefined);
    expect(detailsOf(BundleFreshnessBounded.check(b, contextOf(b)))).toEqual([
      'local.BundleJson renders a bundle v2 without freshness (value): nodes would trust it forever',
    ]);
  });

  test('GIVEN an expiry taken from a reference THEN error: it must be a date in code', () => {
    const b = bundleLocal('{"expires" = var.expires, "refresh_hint_seconds" = 3600}');
    expect(detailsOf(BundleFreshnessBounded.check(b, contextOf(b)))[0]).toContain(
      'whose expires is not a literal ISO 8601 UTC date',
    );
  });

  test('GIVEN a validity bound of 180 days THEN error naming both figures', () => {
    const s = secret(180);
    expect(detailsOf(BundleFreshnessBounded.check(s, contextOf(s)))).toEqual([
      'vault_kv_secret_v2.Secret lets the bundle expiring at 2027-02-01T00:00:00Z be published up to 180 days ahead of it (maxValidityDays 180); the pack allows 90',
    ]);
  });

  test('GIVEN anything else THEN not applicable', () => {
    const r = resource('vault_mount', { path: 'dev/kv', type: 'kv' });
    expect(BundleFreshnessBounded.check(r, contextOf(r)).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});
