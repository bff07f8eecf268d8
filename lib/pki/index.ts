export { checkRootCertificate, containsPrivateKey, spkiPin, splitPemCertificates } from './certificates';
export type { RootCertificateFacts } from './certificates';
export { CertificatePemTrust, CONTROL_PLANE_TRUST_DEFAULTS, ControlPlaneTrust } from './control-plane-trust';
export type {
  ControlPlaneTrustFromPemProps,
  ControlPlaneTrustProps,
  PemRoot,
  RootIssuerSpec,
} from './control-plane-trust';
export { checkKeyType, PkiKeyType } from './key-type';
export { NODE_CERT_DEFAULTS, NodeCertAuthority } from './node-cert-authority';
export type { NodeCertAuthorityProps } from './node-cert-authority';
export { RootRotationPhase, rootSchedule } from './root-schedule';
export type { RootRotation, RootSchedule, RootScheduleInput, ScheduledRoot } from './root-schedule';
export { ControlPlaneTrustSource } from './types';
export type { IControlPlaneTrust, INodeCertTrust } from './types';
