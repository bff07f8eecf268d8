// Rotation scheduling (no cdktf import, no network): the rotation policy, the facts read from Vault, and the planner
// that says what is due. The `rotation-status` command (scripts/rotation-status.ts) reads Vault and prints it.
export * from './config';
export * from './facts';
export * from './planner';
export * from './policy';
export { DAY_MS, parseVaultTime } from './time';
