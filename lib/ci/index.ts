export { RunnerAccess } from './runner-access';
export { ElementAccess, ElementConfig, PROVIDER_SELF, knownElementTypes } from './provider-access';
export {
  GITHUB_ACTIONS_CLAIMS,
  GITHUB_ACTIONS_ISSUER,
  GITHUB_ACTIONS_JWKS_URL,
  RunnerClaims,
  RunnerEnvironment,
  RunnerEnvironmentOptions,
  RunnerIdentity,
  RunnerIdentityProps,
} from './runner-identity';
