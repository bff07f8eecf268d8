import { BUNDLE_SCHEMA_V1 } from '../../node/formats';
import { stringsContaining } from '../strings';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/**
 * Normal rotation needs no node rebuild (invariant 7): a bootstrap bundle (schema
 * `cdktf-platform-trust/bootstrap-bundle/v1`) carries the task verifier set, so a new signing version reaches
 * nodes with the next bundle, and the bundle is signed through Vault transit (`data.vault_transit_sign`), so
 * a node accepts the update with a key it already trusts. Checks every element that writes a bundle.
 */
export const BundleSignedWithVerifiers: ElementRule = {
  id: 'PlatformTrust-BundleSignedWithVerifiers',
  scope: 'element',
  level: CheckLevel.ERROR,
  description:
    'A bootstrap bundle must carry the task verifier set and be signed through Vault transit, so that rotation needs no node rebuild',
  fix: 'Render the bundle with BootstrapBundle (it embeds the TaskSigningKey verifier set and signs the bundle with the active version); a hand-written bundle needs task_verifiers and a data.vault_transit_sign over it.',
  check(element, context) {
    const texts = stringsContaining(element.config, BUNDLE_SCHEMA_V1);
    if (texts.length === 0) return notApplicable('no bootstrap bundle');
    const details: string[] = [];
    for (const { where, text } of texts) {
      if (!/task_verifiers/.test(text) || !/GPUAAS_TASK_SIGNING_PUBKEYS/.test(text)) {
        details.push(
          `the bundle in ${where} carries no task verifier set (task_verifiers and GPUAAS_TASK_SIGNING_PUBKEYS): a new signing version could only reach nodes by a rebuild`,
        );
      }
    }
    // The address is also how expressions refer to the element (local.<id>, data.<type>.<id>, <type>.<id>).
    const ref = element.address;
    const signed = context.signedInputs.some(
      (input) =>
        new RegExp(`${ref.replace(/\./g, '\\.')}(?![A-Za-z0-9_-])`).test(input) || input.includes(BUNDLE_SCHEMA_V1),
    );
    if (!signed) {
      details.push(`no data.vault_transit_sign signs ${ref}: nodes could not tell a bundle update from a forged one`);
    }
    return details.length > 0 ? nonCompliant(...details) : compliant();
  },
};
