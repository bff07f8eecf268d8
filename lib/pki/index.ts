export * from './certificates';
export * from './control-plane-trust';
export * from './key-type';
export * from './names';
export * from './node-cert-authority';
export * from './root-schedule';
export * from './types';
