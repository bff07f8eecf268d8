/**
 * The wire formats, declared once in `lib/kernel/formats.ts`; re-exported here so that `cdktf-platform-trust/node`
 * and imports of this module keep working.
 */
export {
  BUNDLE_KEYS_FORMAT_V1,
  BUNDLE_KEY_PIN_PREFIX,
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  DEFAULT_PATHS,
  MAX_REFRESH_HINT_SECONDS,
  PUBKEYS_FORMAT_V1,
} from '../kernel/formats';
export type {
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleKeySetV1,
  BundleRevocations,
  DsseEnvelope,
  RootState,
  SignedEnvelope,
  TrustRoot,
  VerifierEntry,
  VerifierSetV1,
  VerifierState,
} from '../kernel/formats';
