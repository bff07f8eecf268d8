export { StateEncryptionKey, StateEncryptionKeyProps } from './state-encryption-key';
export { StateEncryption, OpenBaoStateEncryptionProps, IStateEncryptionKeyRef } from './state-encryption';
