// Control-plane side (package entry "cdktf-platform-trust/control-plane"): the task signer and the bundle handler.
// Imports nothing from cdktf. Re-exports only.

/** The error thrown when the control plane cannot go on by itself, with a stable code per failure family. */
export { ControlPlaneError, ControlPlaneErrorCode } from './errors';
/** Where Vault is. */
export type { VaultAnswer, VaultBody, VaultHttpOptions } from './vault-http';
/** The Vault HTTP transport (keep-alive connections). */
export { VaultHttp } from './vault-http';
/** How the control plane logs in, and what its session reports. */
export type { AppRoleLoginOptions, AppRoleSessionEvents, AppRoleSessionOptions } from './approle-session';
/** AppRole login with a response-wrapped secret id, token renewal and re-login. */
export { AppRoleSession } from './approle-session';
/** What the signer follows, what it returns and reports. */
export type { SignedTask, SigningMetadata, TaskSignerEvents, TaskSignerOptions } from './task-signer';
/** The task signer, and the parser of the signing metadata. */
export { TaskSigner, parseSigningMetadata } from './task-signer';
/** What the handler serves from. */
export type { BundleSource, PublishedBundle, VaultBundleSourceEvents, VaultBundleSourceOptions } from './bundle-source';
/** Bundle sources: the stack's KV secret, or one fixed envelope; the check before serving. */
export { StaticBundleSource, VaultBundleSource, publishedBundle } from './bundle-source';
/** The handler's options and type. */
export type { BundleHandler, BundleHandlerOptions } from './bundle-handler';
/** The bundle handler and the TLS options that ask nodes for their certificate. */
export { BUNDLE_MEDIA_TYPE, DEFAULT_BUNDLE_PATH, createBundleHandler, nodeClientTlsOptions } from './bundle-handler';
