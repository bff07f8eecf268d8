// cdktf-platform-trust: constructs for a platform's security lifecycle. Re-exports only.
// Node-side verification lives in the separate entry point `cdktf-platform-trust/node`.
export * from './core';
export * from './signing';
export * from './secrets';
export * from './pki';
export * from './bootstrap';
export * from './checks';
export * from './review';
export * from './ci';
export * from './state';
export * from '../stacks/environment';
export * from '../stacks/platform-trust-stack';
export * from '../stacks/state-key-stack';
export { buildApp, BuildAppOptions } from '../stacks/app';
export { CiIdentityStack, CiIdentityStackProps } from '../stacks/ci-identity-stack';
