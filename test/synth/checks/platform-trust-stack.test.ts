import * as fs from 'node:fs';
import * as path from 'node:path';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Aspects, TerraformElement, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { PlatformTrustChecks, viewsOfFragment } from '../../../lib/checks';
import { resolvedFragment } from '../../../lib/checks/element-view';
import { VaultPolicy } from '../../../lib/core/grant';
import { Capability } from '../../../lib/core/policy-document';
import { NodeCertAuthority } from '../../../lib/pki/node-cert-authority';
import { TaskSigningKey } from '../../../lib/signing/task-signing-key';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { dev, environments } from '../../../stacks/environments';
import { checkedStack, notesOf, ruleNotes } from './helpers';

function checked(env = dev) {
  const app = Testing.app();
  // checks: false, so the test holds the one pack instance and can read its findings.
  const stack = new PlatformTrustStack(app, { environment: env, checks: false });
  const checks = new PlatformTrustChecks();
  Aspects.of(stack).add(checks);
  return { app, stack, checks };
}

describe('PlatformTrustChecks on PlatformTrustStack', () => {
  test('GIVEN the dev stack THEN no error; the one warning is the control plane subtree grant on its app folder', () => {
    const { stack, checks } = checked();
    Testing.synth(stack);
    expect(checks.findings.map((f) => `${f.level} ${f.ruleId} ${f.path}`)).toEqual([
      'warning PlatformTrust-PolicyKvGlob dev/ControlPlane/Policy/Resource',
    ]);
    expect(checks.findings[0].detail).toBe(
      'path "dev/kv/data/apps/control-plane/*" (line 1) grants ["read"] on the folder "apps/control-plane/" of KV mount "dev/kv"',
    );
    expect(notesOf(stack).filter((n) => n.level === 'error')).toEqual([]);
  });

  test.each(environments.map((e) => [e.name, e] as const))(
    'GIVEN the %s stack THEN app.synth() passes the pack',
    (_name, env) => {
      const { app, stack } = checked(env);
      expect(() => app.synth()).not.toThrow();
      expect(ruleNotes(notesOf(stack)).filter((n) => n.startsWith('error'))).toEqual([]);
    },
  );

  test('the rules see exactly what cdk.tf.json holds for every element of the dev stack', () => {
    const { stack } = checked();
    const json = stack.toTerraform();
    const elements = stack.node.findAll().filter((c): c is TerraformElement => TerraformElement.isTerraformElement(c));
    let compared = 0;
    for (const e of elements) {
      for (const view of viewsOfFragment(resolvedFragment(e), e.node.path)) {
        const fromJson =
          view.kind === 'resource'
            ? json.resource[view.type][view.logicalId]
            : view.kind === 'data'
              ? json.data[view.type][view.logicalId]
              : view.kind === 'local'
                ? { value: json.locals[view.logicalId] }
                : json.output[view.logicalId];
        const config = Object.fromEntries(Object.entries(fromJson).filter(([k]) => k !== '//'));
        expect(view.config).toEqual(config);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  test('GIVEN protectFromDestroy: false THEN the CA roots and their mounts are errors until suppressed with a reason', () => {
    const unprotected = checked({ ...dev, protectFromDestroy: false });
    Testing.synth(unprotected.stack);
    expect(unprotected.checks.findings.filter((f) => f.level === 'error').map((f) => `${f.ruleId} ${f.path}`)).toEqual([
      'PlatformTrust-CaRootPreventDestroy dev/NodeCertAuthority/RootMount',
      'PlatformTrust-CaRootPreventDestroy dev/NodeCertAuthority/Root',
      'PlatformTrust-CaRootPreventDestroy dev/ControlPlaneTrust/Mount',
      'PlatformTrust-CaRootPreventDestroy dev/ControlPlaneTrust/Root-dev-control-plane-root',
    ]);

    const suppressed = checked({ ...dev, protectFromDestroy: false });
    for (const id of ['NodeCertAuthority', 'ControlPlaneTrust']) {
      PlatformTrustChecks.suppress(
        suppressed.stack.node.findChild(id),
        'PlatformTrust-CaRootPreventDestroy',
        'environment sets protectFromDestroy: false (throw-away server)',
      );
    }
    expect(() => suppressed.app.synth()).not.toThrow();
    expect(suppressed.checks.findings.filter((f) => f.suppression).length).toBe(4);
  });

  test('GIVEN the stack defaults THEN the pack runs, the deliberate subtree grant is suppressed with its reason, and protectFromDestroy: false is suppressed too', () => {
    const app = Testing.app();
    const stack = new PlatformTrustStack(app, { environment: { ...dev, protectFromDestroy: false } });
    expect(() => app.synth()).not.toThrow();
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
    const reasons = json['//'].platform_trust_suppressions.map(
      (s: { rule: string; reason: string }) => `${s.rule}: ${s.reason}`,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'PlatformTrust-PolicyKvGlob: the control plane reads its own folder apps/control-plane/ by design',
        'PlatformTrust-CaRootPreventDestroy: environment "dev" sets protectFromDestroy: false (throw-away server)',
      ]),
    );
  });

  test('GIVEN the stack defaults THEN the PolicyKvGlob suppression targets only the control plane folder glob, and records the target', () => {
    const app = Testing.app();
    const stack = new PlatformTrustStack(app, { environment: dev });
    Testing.synth(stack);
    const kvGlob = notesOf(stack).filter((n) => n.message.startsWith('[PlatformTrust-PolicyKvGlob]'));
    expect(kvGlob.map((n) => `${n.level} ${n.path}`)).toEqual(['info dev/ControlPlane/Policy/Resource']);
    const record = stack
      .toTerraform()
      ['//'].platform_trust_suppressions.find((s: { rule: string }) => s.rule === 'PlatformTrust-PolicyKvGlob');
    expect(record).toEqual({
      path: 'dev/ControlPlane',
      rule: 'PlatformTrust-PolicyKvGlob',
      reason: 'the control plane reads its own folder apps/control-plane/ by design',
      finding: { element_path: 'dev/ControlPlane/Policy/Resource', detail: 'path "dev/kv/data/apps/control-plane/*"' },
    });
  });

  test('GIVEN a second KV folder glob added to the control plane policy THEN it is still reported: the suppression names one finding', () => {
    const app = Testing.app();
    const stack = new PlatformTrustStack(app, { environment: dev });
    stack.controlPlane.policyDocument.addRule({
      path: 'dev/kv/data/apps/billing/*',
      capabilities: [Capability.READ],
      allowGlob: true,
    });
    Testing.synth(stack);
    const kvGlob = notesOf(stack).filter((n) => n.message.startsWith('[PlatformTrust-PolicyKvGlob]'));
    expect(kvGlob.map((n) => `${n.level} ${n.path}`).sort()).toEqual([
      'info dev/ControlPlane/Policy/Resource',
      'warning dev/ControlPlane/Policy/Resource',
    ]);
    expect(kvGlob.find((n) => n.level === 'warning')?.message).toContain(
      'Path "dev/kv/data/apps/billing/*" (line 1) grants ["read"] on the folder "apps/billing/" of KV mount "dev/kv"',
    );
    expect(kvGlob.find((n) => n.level === 'info')?.message).toContain('Path "dev/kv/data/apps/control-plane/*"');
  });

  test('GIVEN a raw exportable transit key added to the stack THEN the default pack fails synth', () => {
    const app = Testing.app();
    const stack = new PlatformTrustStack(app, { environment: dev });
    new TransitSecretBackendKey(stack, 'HandWritten', {
      backend: 'dev/transit',
      name: 'raw-signer',
      type: 'ed25519',
      exportable: true,
    });
    expect(() => app.synth()).toThrow(/PlatformTrust-TransitKeyExportable/);
  });

  test('GIVEN the library constructs in a plain stack THEN the pack reports nothing on them', () => {
    const { stack } = checkedStack();
    new NodeCertAuthority(stack as Construct, 'Nodes', {
      mountPath: 'pki-nodes',
      nodeDomain: 'nodes.example.internal',
    });
    const key = new TaskSigningKey(stack, 'Signer', { name: 'node-task-signer', version: 2, activeVersion: 1 });
    const consumer = new VaultPolicy(stack, 'ControlPlane', { name: 'control-plane' });
    key.grantSign(consumer);
    key.grantReadPublicKeys(consumer);
    Testing.synth(stack);
    expect(ruleNotes(notesOf(stack))).toEqual([]);
  });

  test('GIVEN the Terraform runner policy from TaskSigningKey.grantRotate THEN no finding: custody flags are pinned to false', () => {
    const { stack, checks } = checkedStack();
    const key = new TaskSigningKey(stack, 'Signer', { name: 'node-task-signer', version: 1 });
    key.grantRotate(new VaultPolicy(stack, 'Runner', { name: 'terraform-runner' }));
    Testing.synth(stack);
    expect(checks.findings.map((f) => `${f.level} ${f.ruleId} ${f.detail}`)).toEqual([]);
    // Without the pins, the same stanza is reported.
    const { stack: other, checks: otherChecks } = checkedStack();
    new VaultPolicy(other, 'Runner', { name: 'terraform-runner' }).policyDocument.addRule({
      path: 'transit/keys/node-task-signer/config',
      capabilities: [Capability.UPDATE],
    });
    new TaskSigningKey(other, 'Signer', { name: 'node-task-signer', version: 1 });
    Testing.synth(other);
    expect(otherChecks.findings.map((f) => `${f.level} ${f.ruleId}`)).toEqual([
      'warning PlatformTrust-PolicyTransitKeyConfig',
    ]);
  });
});
