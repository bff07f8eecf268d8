import { Testing } from 'cdktf';
import { PlatformTrustStack } from '../../../lib';
import { MANIFEST_OUTPUT, STACK_OUTPUT_NAMES, parseManifest } from '../../../lib/review/manifest';
import { OUTPUTS_READ } from '../../../lib/review/private/bundle-read';
import { OUTPUT_ROLES_READ, ROLES_READ } from '../../../lib/review/private/manifest-read';
import { dev } from '../../../stacks/environments';

const synth = (environment = dev) => JSON.parse(Testing.synth(new PlatformTrustStack(Testing.app(), { environment })));

// The explainer reads the stack's plan outputs by name: each name must be one the stack emits (a name the stack
// never emits, such as a `bootstrap_bundle_sequence`, would be read as "absent" in every plan, silently).
describe('the plan explainer and the stack agree on output names', () => {
  const outputs = Object.keys(synth().output ?? {});

  test.each(OUTPUTS_READ.map((name) => [name]))('GIVEN the dev stack WHEN synthesized THEN it emits %s', (name) => {
    expect(outputs).toContain(name);
  });

  test('GIVEN the dev stack THEN it emits the manifest output', () => {
    expect(outputs).toContain(MANIFEST_OUTPUT);
  });
});

// With a manifest, the explainer finds elements by role and outputs by the names the manifest lists: each role it
// reads must be one the stack emits, and each output the manifest names must exist.
describe('the plan explainer and the stack agree on the manifest', () => {
  // A rotated task key, so that the stack has a rotation resource.
  const json = synth({ ...dev, taskSigning: { version: 2 } });
  const manifest = parseManifest(json.output[MANIFEST_OUTPUT].value)!;
  const roles = new Set(Object.values(manifest.resources).map((e) => e.role));

  test.each(ROLES_READ.map((role) => [role]))('GIVEN the stack manifest THEN it has an element of role %s', (role) => {
    expect([...roles]).toContain(role);
  });

  test.each(OUTPUT_ROLES_READ.map((role) => [role]))(
    'GIVEN the stack manifest THEN it names the output of role %s, and the stack emits it',
    (role) => {
      const name = manifest.outputs[role];
      expect(name).toBe(STACK_OUTPUT_NAMES[role]);
      expect(Object.keys(json.output)).toContain(name);
    },
  );

  test('GIVEN the stack manifest THEN every output it names is emitted', () => {
    for (const name of Object.values(manifest.outputs)) expect(Object.keys(json.output)).toContain(name);
  });
});
