/**
 * One environment as it runs in production: state in PostgreSQL (OpenTofu's `pg` backend, with its lock), state and
 * plans encrypted with a Vault transit key from the environment's StateKeyStack, and a seeded secret that reaches
 * neither plan nor state. OpenTofu 1.11 or later (the encryption block and the write-only seed).
 */
import { App, PgBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { EnvironmentConfig, PlatformTrustStack, StateEncryption, StateKeyStack } from '../../lib';

export const environment: EnvironmentConfig = {
  name: 'prod',
  controlPlaneUrl: 'https://control.platform.internal',
  taskSigning: { version: 1 },
  bundle: { sequence: 1, freshness: { expires: '2027-02-01T00:00:00Z' } },
};

// snippet:start
/** Each stack in its own schema of the state database; the password comes from the runner's PGPASSWORD. */
function stateIn(schemaName: string) {
  return (stack: TerraformStack) =>
    new PgBackend(stack, {
      connStr: 'postgres://platform_trust@state-db.platform.internal/terraform_state?sslmode=verify-full',
      schemaName,
    });
}

export function build(outdir?: string): App {
  const app = new App({ outdir });
  // Applied once, before the environment: the transit key that encrypts the environment's state and plans.
  const stateKey = new StateKeyStack(app, { environmentName: environment.name, backend: stateIn('prod_state_key') });
  const stack = new PlatformTrustStack(app, {
    environment,
    backend: stateIn('prod'),
    stateEncryption: StateEncryption.openBao({ key: stateKey.key }),
  });
  // Seeded write-only: the value is sent to Vault during the apply and kept in neither plan nor state.
  const robot = new TerraformVariable(stack, 'harbor_robot', { type: 'map(string)', sensitive: true });
  stack.secrets.seedSecret('registry/harbor-robot', robot, { writeOnlyVersion: 1 });
  return app;
}
// snippet:end
