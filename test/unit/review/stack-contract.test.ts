import { Testing } from 'cdktf';
import { PlatformTrustStack } from '../../../lib';
import { OUTPUTS_READ } from '../../../lib/review/private/bundle-read';
import { dev } from '../../../stacks/environments';

// The explainer reads the stack's plan outputs by name: each name must be one the stack emits (a name the stack
// never emits, such as a `bootstrap_bundle_sequence`, would be read as "absent" in every plan, silently).
describe('the plan explainer and the stack agree on output names', () => {
  const outputs = Object.keys(
    JSON.parse(Testing.synth(new PlatformTrustStack(Testing.app(), { environment: dev }))).output ?? {},
  );

  test.each(OUTPUTS_READ.map((name) => [name]))('GIVEN the dev stack WHEN synthesized THEN it emits %s', (name) => {
    expect(outputs).toContain(name);
  });
});
