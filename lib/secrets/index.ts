// Platform secrets: KV v2 mount and layout, consumers, audit, custody seam, secret scan. Re-exports only.
// The API path/capability table (grant-rules.ts), the stack scan, CIDR checks and error builders are in private/.
export {
  CategoryShape,
  KvOperation,
  MAX_SECRET_PATH_LENGTH,
  PathKind,
  SecretCategory,
  SecretPath,
  validateSecretPath,
} from './kv-layout';
export type { KvGrantOptions, ValidatedSecretPath } from './kv-layout';
export { PlatformSecrets, PlatformSecretsBase } from './platform-secrets';
export type {
  IPlatformSecrets,
  PlatformSecretsProps,
  SeedSecretOptions,
  SigningMetadataOptions,
  SigningMetadataSource,
} from './platform-secrets';
export { AppRoleAuthBackend } from './approle-auth-backend';
export type { AppRoleAuthBackendProps, IAppRoleAuthBackend } from './approle-auth-backend';
export { AppRoleConsumer, MAX_APPROLE_TTL_SECONDS, TokenType } from './approle-consumer';
export type { AppRoleConsumerProps } from './approle-consumer';
export { auditDeviceSpec, AuditDeviceType, PlatformAudit, renderAuditStanza } from './audit';
export type { AuditDeviceOptions, AuditDeviceSpec, PlatformAuditProps } from './audit';
export { CustodyKind, HSM_WOULD_DECLARE, KMS_WOULD_DECLARE, KmsProvider, SigningCustody } from './custody';
export type { HsmCustodyOptions, KmsCustodyOptions } from './custody';
export { scanForSecrets, SecretFindingRule } from './secret-scan';
export type { SecretFinding } from './secret-scan';
