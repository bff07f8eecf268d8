export * from './types';
export * from './verifier-set';
export * from './transit-mount';
export * from './task-signing-key';
export * from './bundle-signing-key';
