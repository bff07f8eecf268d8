export * from './bootstrap-bundle';
export * from './bundle-model';
