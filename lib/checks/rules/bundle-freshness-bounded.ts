import { BUNDLE_SCHEMA_V2 } from '../../node/formats';
import { DEFAULT_MAX_VALIDITY_DAYS } from '../../kernel/freshness';
import { parseIsoUtc } from '../../kernel/iso-time';
import { ALL_ELEMENTS } from '../applies-to';
import { bundleTexts } from '../private/bundle-signing';
import { stringsContaining } from '../private/strings';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/** The validity-bound condition BootstrapBundle declares: `timecmp("<expires>", timeadd(var.plan_time, "<h>h")) <= 0`. */
const BOUND_RE = /timecmp\("([^"]*)", timeadd\(var\.plan_time, "(\d+)h"\)\) <= 0/;

/**
 * Freshness bounds a freeze attack (an attacker who blocks updates keeps a node on an old bundle at most until its
 * expiry), so the pack requires it and bounds it:
 * - a rendered bundle of format v2 carries `freshness` with a literal ISO 8601 UTC `expires` (a date in code, never a
 *   clock or a reference);
 * - a plan-time validity bound (the precondition BootstrapBundle declares on the published secret) allows at most 90
 *   days between the plan and the expiry.
 * Applies to every element: the bundle is rendered in a local, the bound sits on the published secret.
 */
export const BundleFreshnessBounded: ElementRule = {
  id: 'PlatformTrust-BundleFreshnessBounded',
  scope: 'element',
  supportedResources: ALL_ELEMENTS,
  level: CheckLevel.ERROR,
  description: `A bootstrap bundle must carry an expiry written in code, at most ${DEFAULT_MAX_VALIDITY_DAYS} days after the plan that publishes it`,
  fix: `Set the bundle's freshness.expires to a date in code (BootstrapBundle freshness, EnvironmentConfig bundle.freshness) and keep freshness.maxValidityDays at ${DEFAULT_MAX_VALIDITY_DAYS} or less; move the date forward, with a sequence bump, before it comes close.`,
  check(element) {
    const details: string[] = [];
    const texts = bundleTexts(element.config).filter((t) => t.schema === BUNDLE_SCHEMA_V2);
    for (const t of texts) {
      if (!/"freshness"\s*[=:]\s*\{/.test(t.text)) {
        details.push(
          `${element.address} renders a bundle v2 without freshness (${t.where}): nodes would trust it forever`,
        );
        continue;
      }
      const expires = /"expires"\s*[=:]\s*"([^"$]*)"/.exec(t.text)?.[1];
      if (expires === undefined || parseIsoUtc(expires) === undefined) {
        details.push(
          `${element.address} renders a bundle v2 whose expires is not a literal ISO 8601 UTC date (${t.where})`,
        );
      }
    }
    const bounds = stringsContaining(element.config.lifecycle, 'var.plan_time').flatMap((s) => {
      const m = BOUND_RE.exec(s.text);
      return m ? [{ expires: m[1], hours: Number(m[2]), where: s.where }] : [];
    });
    for (const b of bounds) {
      const days = b.hours / 24;
      if (days > DEFAULT_MAX_VALIDITY_DAYS) {
        details.push(
          `${element.address} lets the bundle expiring at ${b.expires} be published up to ${days} days ahead of it (maxValidityDays ${days}); the pack allows ${DEFAULT_MAX_VALIDITY_DAYS}`,
        );
      }
    }
    if (texts.length === 0 && bounds.length === 0) return notApplicable('no bundle v2 and no validity bound');
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
