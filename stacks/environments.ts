import { EnvironmentConfig } from './environment';

/**
 * The platform's environments. A rotation or trust change is a one-line edit here,
 * reviewed as a plan in the pull request.
 *
 * The runner logs in per job with its CI identity (examples/ci, lib/ci): those tokens are short-lived and may not
 * create child tokens (the plan role writes nothing), so the provider uses them directly (`skipChildToken`).
 */
const vault = { skipChildToken: true } as const;
export const dev: EnvironmentConfig = {
  name: 'dev',
  controlPlaneUrl: 'https://control.dev.platform.internal',
  vault,
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

export const staging: EnvironmentConfig = {
  name: 'staging',
  controlPlaneUrl: 'https://control.staging.platform.internal',
  vault,
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

export const prod: EnvironmentConfig = {
  name: 'prod',
  controlPlaneUrl: 'https://control.platform.internal',
  vault,
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
  controlPlane: { boundCidrs: ['10.0.0.0/16'] },
};

export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];
