import { BundleSignatureRole } from '../../core/declarations';
import { keyLabel, sameKey, signWriteOf } from '../private/bundle-signing';
import { CheckLevel, ElementRule, compliant, nonCompliant, notApplicable } from '../types';

/**
 * Nodes verify bundles only under bundle keys (invariant 10): an apply-time signature over a bootstrap bundle
 * payload (a `vault_generic_endpoint` writing `<mount>/sign/<key>` whose request holds a bundle payload type)
 * must not use a task key (a key named by a task verifier set): whoever signs tasks could then sign bundles.
 *
 * One exception, for the move from format v1: the signature declared the migration signature
 * (`"//".platform_trust_declares.bundle_signature = "migration-from-v1"`, BootstrapBundle `migrateFromV1`) may
 * use the task key when a bundle-key signature signs the same payload next to it, so nodes still holding a v1
 * bundle accept the first v2 bundle while v2 nodes verify the bundle key's signature. The declaration alone is
 * not enough. Applies to: `vault_generic_endpoint` and `vault_generic_secret` resources.
 */
export const BundleSignedByBundleKey: ElementRule = {
  id: 'PlatformTrust-BundleSignedByBundleKey',
  scope: 'element',
  supportedResources: ['vault_generic_endpoint', 'vault_generic_secret'],
  level: CheckLevel.ERROR,
  suppressible: false,
  description:
    'A bootstrap bundle must be signed by a bundle key, not by a task key: whoever signs tasks must not be able to change what nodes trust',
  fix: 'Sign the bundle with a BundleSigningKey (BootstrapBundle bundleSigningKey). A task key signature is accepted only as the declared migration signature (BootstrapBundle migrateFromV1) next to the bundle key signature; turn it off once every node holds a v2 bundle.',
  check(element, context) {
    const write = signWriteOf(element, context.mounts);
    if (!write) return notApplicable('not an apply-time sign write');
    if (write.bundlePayloadType === undefined) return notApplicable('it does not sign a bootstrap bundle');
    const task = context.taskKeys.find((t) => sameKey(t, write));
    if (!task) return compliant();
    const label = keyLabel(write);
    if (write.declaredRole === BundleSignatureRole.MIGRATION_FROM_V1) {
      const partner = context.bundleSignatures.find(
        (o) =>
          o.address !== write.address &&
          o.signedInput === write.signedInput &&
          !context.taskKeys.some((t) => sameKey(t, o)),
      );
      if (partner) return compliant();
      return nonCompliant(
        `${element.address} is declared the migration signature and signs a bundle with task key ${label} (${task.evidence}), but no bundle key signs the same payload next to it: the envelope would be signed only by a task key`,
      );
    }
    return nonCompliant(
      `${element.address} signs a bootstrap bundle with task key ${label} (${task.evidence}): whoever can sign tasks could sign bundles`,
    );
  },
};
