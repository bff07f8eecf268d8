export { BootstrapBundle } from './bootstrap-bundle';
export type { ApplyTimeSignature, BootstrapBundleProps, BundleFreshnessProps } from './bootstrap-bundle';
export {
  buildBundle,
  buildBundleV2,
  buildEnvelopeV2,
  bundleInputsDigest,
  checkAscii,
  checkBundleLiteral,
  checkFreshness,
  checkRevocations,
  checkSeparateSigningKeys,
  dssePae,
  dssePaeParts,
  findSecretLike,
  resolveBundlePaths,
  validateSequence,
} from './bundle-model';
export type {
  BundleInput,
  BundleInputFacts,
  BundleInputV2,
  BundlePaths,
  EnvelopeSignature,
  KeyFacts,
  SigningKeyRef,
} from './bundle-model';
