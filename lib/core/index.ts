export * from './errors';
export * from './validation';
export * from './policy-document';
export * from './grant';
export * from './naming';
export * from './providers';
export * from './policy-hcl';
export * from './declarations';
