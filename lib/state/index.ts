export { StateEncryptionKey } from './state-encryption-key';
export type { StateEncryptionKeyProps } from './state-encryption-key';
export { StateEncryption } from './state-encryption';
export type { IStateEncryptionKeyRef, OpenBaoStateEncryptionProps } from './state-encryption';
