export { RunnerAccess } from './runner-access';
export { PROVIDER_SELF, knownElementTypes } from './provider-access';
export type { ElementAccess, ElementConfig } from './provider-access';
export {
  GITHUB_ACTIONS_CLAIMS,
  GITHUB_ACTIONS_ISSUER,
  GITHUB_ACTIONS_JWKS_URL,
  RunnerIdentity,
} from './runner-identity';
export type { RunnerClaims, RunnerEnvironment, RunnerEnvironmentOptions, RunnerIdentityProps } from './runner-identity';
