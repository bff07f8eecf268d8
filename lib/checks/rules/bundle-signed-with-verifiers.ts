import { ALL_ELEMENTS } from '../applies-to';
import { BUNDLE_SCHEMA_V2 } from '../../node/formats';
import { BUNDLE_SCHEMAS, bundleTexts } from '../private/bundle-signing';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/**
 * Normal rotation needs no node rebuild (invariant 7): a bootstrap bundle (schema
 * `cdktf-platform-trust/bootstrap-bundle/v1` or `/v2`) carries the task verifier set, so a new signing version
 * reaches nodes with the next bundle; a v2 bundle also carries the bundle key set (`bundle_keys`), so a new bundle
 * key reaches them the same way; and something in the stack signs the bundle, so a node accepts the update with a
 * key it already trusts. Checks every element that writes a bundle. Who signs and when is for
 * BundleSignedByBundleKey and NoPlanTimeSigning.
 */
export const BundleSignedWithVerifiers: ElementRule = {
  id: 'PlatformTrust-BundleSignedWithVerifiers',
  scope: 'element',
  supportedResources: ALL_ELEMENTS,
  level: CheckLevel.ERROR,
  description:
    'A bootstrap bundle must carry the task verifier set (and, in format v2, the bundle key set) and be signed, so that rotation needs no node rebuild',
  fix: 'Render the bundle with BootstrapBundle (it embeds the TaskSigningKey verifier set and the BundleSigningKey key set, and signs the bundle during apply with the bundle key); a hand-written bundle needs task_verifiers, bundle_keys and a vault_generic_endpoint writing <mount>/sign/<bundle key> over it.',
  check(element, context) {
    const texts = bundleTexts(element.config);
    if (texts.length === 0) return notApplicable('no bootstrap bundle');
    const details: string[] = [];
    for (const { where, text, schema } of texts) {
      if (!/task_verifiers/.test(text) || !/GPUAAS_TASK_SIGNING_PUBKEYS/.test(text)) {
        details.push(
          `the bundle in ${where} carries no task verifier set (task_verifiers and GPUAAS_TASK_SIGNING_PUBKEYS): a new signing version could only reach nodes by a rebuild`,
        );
      }
      if (schema === BUNDLE_SCHEMA_V2 && !/bundle_keys/.test(text)) {
        details.push(
          `the v2 bundle in ${where} carries no bundle key set (bundle_keys): nodes could not verify the next bundle`,
        );
      }
    }
    // The address is also how expressions refer to the element (local.<id>, data.<type>.<id>, <type>.<id>).
    const ref = element.address;
    const signed = context.signedInputs.some(
      (input) =>
        new RegExp(`${ref.replace(/\./g, '\\.')}(?![A-Za-z0-9_-])`).test(input) ||
        BUNDLE_SCHEMAS.some((schema) => input.includes(schema)),
    );
    if (!signed) {
      details.push(`nothing in the stack signs ${ref}: nodes could not tell a bundle update from a forged one`);
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
