// cdktf-platform-trust: constructs for a platform's security lifecycle. Re-exports only.
export * from './core';
export * from '../stacks/environment';
export * from '../stacks/platform-trust-stack';
export { buildApp, BuildAppOptions } from '../stacks/app';
