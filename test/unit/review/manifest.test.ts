import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { PlatformTrustStack } from '../../../lib';
import { ElementRole, MANIFEST_FORMAT_V1, MANIFEST_OUTPUT, parseManifest } from '../../../lib/review/manifest';
import { explainPlan } from '../../../lib/review/plan-explainer';
import { dev } from '../../../stacks/environments';

const FIXTURES = path.resolve(__dirname, '../../fixtures/plans');
const load = (name: string): any => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

const ROTATION = 'vault_generic_endpoint.TaskSigningKey_RotateToV2_A94096E3';
const SECRET = 'vault_kv_secret_v2.BootstrapBundle_Secret_68A50327';

// The manifest the dev stack emits at task key version 2: the fixture's addresses are the stack's.
const manifestText: string = JSON.parse(
  Testing.synth(new PlatformTrustStack(Testing.app(), { environment: { ...dev, taskSigning: { version: 2 } } })),
).output[MANIFEST_OUTPUT].value;

/** Moves an address (in the plan and in the manifest), as an overridden logical id would. */
function rename(plan: any, manifest: any, from: string, to: string) {
  plan.resource_changes.find((rc: any) => rc.address === from).address = to;
  if (manifest) {
    manifest.resources[to] = manifest.resources[from];
    delete manifest.resources[from];
  }
}

function withManifest(plan: any, manifest: any) {
  const text = JSON.stringify(manifest);
  plan.output_changes[MANIFEST_OUTPUT] = { actions: ['no-op'], before: text, after: text, after_unknown: false };
  return plan;
}

describe('GIVEN a plan with the stack manifest', () => {
  test('WHEN a rotation has an overridden logical id and a path known only at apply THEN the manifest names its key and version', () => {
    for (const manifest of [JSON.parse(manifestText), undefined]) {
      const plan = load('hand-rotation-prepublish.json');
      const rc = plan.resource_changes.find((x: any) => x.address === ROTATION);
      delete rc.change.after.path;
      rc.change.after_unknown.path = true;
      rename(plan, manifest, ROTATION, 'vault_generic_endpoint.task_key_rotation_2');
      const keys = explainPlan(manifest ? withManifest(plan, manifest) : plan).keys;
      if (manifest) {
        expect(keys.map((k) => [k.keyPath, k.rotations, k.latestAfter])).toEqual([
          [
            'dev/transit/keys/node-task-signer',
            [{ address: 'vault_generic_endpoint.task_key_rotation_2', action: 'create', version: 2 }],
            2,
          ],
        ]);
      } else {
        // Without the manifest the heuristics need the `RotateToV<n>` id: the rotation is left out.
        expect(keys.flatMap((k) => k.rotations)).toEqual([]);
      }
    }
  });

  test('WHEN an endpoint merely looks like a rotation by its id THEN it is not read as one (the heuristics are off)', () => {
    const plan = withManifest(load('hand-rotation-prepublish.json'), JSON.parse(manifestText));
    const rc = JSON.parse(JSON.stringify(plan.resource_changes.find((x: any) => x.address === ROTATION)));
    rc.address = 'vault_generic_endpoint.TaskSigningKey_RotateToV9_0123ABCD';
    delete rc.change.after.path;
    rc.change.after_unknown.path = true;
    plan.resource_changes.push(rc);
    const rotations = explainPlan(plan).keys.flatMap((k) => k.rotations);
    expect(rotations.map((r) => [r.address, r.version])).toEqual([[ROTATION, 2]]);
  });

  test('WHEN the bundle secret has another address and its data is unknown THEN it is still the bundle secret', () => {
    for (const manifest of [JSON.parse(manifestText), undefined]) {
      const plan = load('hand-rotation-prepublish.json');
      const rc = plan.resource_changes.find((x: any) => x.address === SECRET);
      // Nothing in its values says it holds a bundle: only the manifest does.
      rc.change.before = { mount: 'dev/kv', name: 'bootstrap/bundle' };
      rc.change.after = { mount: 'dev/kv', name: 'bootstrap/bundle' };
      rc.change.after_unknown = { data_json: true };
      rename(plan, manifest, SECRET, 'vault_kv_secret_v2.published');
      const bundles = explainPlan(manifest ? withManifest(plan, manifest) : plan).bundles;
      expect(bundles.some((b) => b.subject === 'vault_kv_secret_v2.published')).toBe(!!manifest);
    }
  });

  test('WHEN the manifest names the envelope output THEN the explainer reads it by that name', () => {
    const manifest = JSON.parse(manifestText);
    manifest.outputs.envelope = 'signed_envelope';
    const plan = withManifest(load('hand-rotation-prepublish.json'), manifest);
    plan.output_changes.signed_envelope = { actions: ['update'], before: '{}', after: null, after_unknown: true };
    const envelopes = explainPlan(plan).signing.envelopes.map((e) => e.output);
    expect(envelopes).toContain('signed_envelope');
  });

  test('WHEN the dev stack emits it THEN it places each PKI mount in its trust (what tells public HTTPS roots from node-cert roots)', () => {
    const manifest = parseManifest(manifestText)!;
    const trusts = Object.values(manifest.resources)
      .filter((e) => e.role === ElementRole.PKI_MOUNT)
      .map((e) => [e.mount, e.trust])
      .sort();
    expect(trusts).toEqual([
      ['dev/pki-control-plane', 'control-plane'],
      ['dev/pki-nodes', 'node-cert'],
      ['dev/pki-nodes-root', 'node-cert'],
    ]);
  });
});

describe('parseManifest', () => {
  test('GIVEN another format, or text that is not JSON THEN there is no manifest (the explainer falls back)', () => {
    expect(parseManifest(JSON.stringify({ format: 'something/else', resources: {} }))).toBeUndefined();
    expect(parseManifest('{not json')).toBeUndefined();
    expect(parseManifest(undefined)).toBeUndefined();
  });

  test('GIVEN unknown roles and fields of the wrong type THEN they are left out', () => {
    const m = parseManifest({
      format: MANIFEST_FORMAT_V1,
      outputs: { bundle: 'b', unknown_role: 'x', envelope: 3 },
      resources: {
        'a.b': { role: 'key-rotation', version: '2', name: 'k', mount: 7 },
        'c.d': { role: 'future-role' },
      },
    })!;
    expect(m.outputs).toEqual({ bundle: 'b' });
    expect(m.resources).toEqual({ 'a.b': { role: 'key-rotation', name: 'k' } });
  });
});
