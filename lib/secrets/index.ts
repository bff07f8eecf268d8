// Platform secrets: KV v2 mount and layout, consumers, audit, custody seam, secret scan. Re-exports only.
// grant-rules.ts (the API path/capability table) and stack-scan.ts stay private.
export * from './kv-layout';
export * from './platform-secrets';
export * from './approle-auth-backend';
export * from './approle-consumer';
export * from './audit';
export * from './custody';
export * from './cidr';
export * from './secret-scan';
