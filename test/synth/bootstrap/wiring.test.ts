import { TerraformOutput, Testing } from 'cdktf';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { VaultPolicy } from '../../../lib/core';
import { BootstrapBundle } from '../../../lib/bootstrap/bootstrap-bundle';
import { ControlPlaneTrust } from '../../../lib/pki/control-plane-trust';
import { NodeCertAuthority } from '../../../lib/pki/node-cert-authority';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { dev } from '../../../stacks/environments';
import { FakeSigningKey } from './fake-signing-key';
import { secretFindings } from '../pki/helpers';

describe('wiring into PlatformTrustStack (the snippet handed to the lead)', () => {
  test('synthesizes with validations, one policy for the control plane, and plan outputs for review', () => {
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const { mounts, environment: env } = stack;
    const kv = new Mount(stack, 'Kv', { path: mounts.kv, type: 'kv', options: { version: '2' } });
    const signingKey = new FakeSigningKey(stack, 'TaskSigningKey', { mountPath: mounts.transit });
    const controlPlane = new VaultPolicy(stack, 'ControlPlanePolicy', { name: `${env.name}-control-plane` });

    // --- snippet start
    const nodeCa = new NodeCertAuthority(stack, 'NodeCertAuthority', {
      mountPath: mounts.nodePki,
      nodeDomain: `nodes.${env.name}.internal`,
    });
    const cpTrust = new ControlPlaneTrust(stack, 'ControlPlaneTrust', {
      mountPath: mounts.controlPlanePki,
      root: { issuerName: `${env.name}-cp-root-2026` },
      serverNames: [new URL(env.controlPlaneUrl).hostname],
    });
    const bundle = new BootstrapBundle(stack, 'BootstrapBundle', {
      environment: env.name,
      sequence: 1,
      controlPlaneUrl: env.controlPlaneUrl,
      publicHttpsTrust: cpTrust,
      nodeCertTrust: nodeCa,
      signingKey,
      kvMountPath: mounts.kv,
      kvMount: kv,
    });
    nodeCa.grantIssue(controlPlane);
    cpTrust.grantIssueServerCert(controlPlane);
    bundle.grantReadBundle(controlPlane);
    new TerraformOutput(stack, 'bootstrap_bundle', { value: bundle.bundleJson });
    new TerraformOutput(stack, 'bootstrap_envelope', { value: bundle.envelopeJson });
    // --- snippet end

    const synth = Testing.synth(stack, true);
    expect(secretFindings(synth)).toEqual([]);
    const json = JSON.parse(synth);
    expect(Object.keys(json.output)).toEqual(['bootstrap_bundle', 'bootstrap_envelope']);
    const policy = Object.values<any>(json.resource.vault_policy)[0].policy as string;
    expect(policy).toContain('path "dev/kv/data/bootstrap/bundle"');
    expect(policy).toContain('path "dev/pki-nodes/sign/node-enroll"');
    expect(policy).toContain('path "dev/pki-control-plane/issue/control-plane-https"');
  });
});
