import { Policy } from '@cdktf/provider-vault/lib/policy';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PlatformTrustChecks } from '../../../lib/checks';
import { checkTerraformJson } from '../../../lib/checks/json-checks';
import { Testing } from 'cdktf';
import { checkedStack } from './helpers';

// The JSON check reads cdk.tf.json; the Aspect reads the constructs. Same rules, same findings.
describe('checkTerraformJson over a synthesized stack', () => {
  test('GIVEN a stack with findings and a targeted suppression WHEN its cdk.tf.json is checked THEN the findings are the Aspect’s', () => {
    const { stack, checks } = checkedStack();
    new Mount(stack, 'Kv', { path: 'kv', type: 'kv', options: { version: '2' } });
    new TransitSecretBackendKey(stack, 'Key', {
      backend: 'transit',
      name: 'signer',
      type: 'ed25519',
      exportable: true,
      autoRotatePeriod: 3600,
    });
    const glob = new Policy(stack, 'Glob', {
      name: 'g',
      policy: 'path "kv/data/apps/*" {\n  capabilities = ["read"]\n}\n',
    });
    new Policy(stack, 'Other', { name: 'o', policy: 'path "kv/data/team/*" {\n  capabilities = ["read"]\n}\n' });
    PlatformTrustChecks.suppress(stack, 'PlatformTrust-PolicyKvGlob', 'the apps folder is read by design', {
      elementPath: glob.node.path,
    });

    Testing.synth(stack); // runs the Aspect (synthesis to disk would stop at its error annotations)
    const json = JSON.parse(JSON.stringify(stack.toTerraform()));
    expect(json['//'].platform_trust_suppressions).toHaveLength(1);
    const key = (f: { ruleId: string; address?: string; detail: string; suppression?: unknown }) =>
      `${f.ruleId} ${f.address ?? '-'} ${f.suppression ? 'suppressed' : 'open'} ${f.detail}`;
    const fromJson = checkTerraformJson(json).map(key).sort();
    const fromAspect = checks.findings.map(key).sort();

    expect(fromAspect.length).toBeGreaterThanOrEqual(4);
    expect(fromJson).toEqual(fromAspect);
    expect(fromJson.filter((f) => f.includes(' suppressed '))).toHaveLength(1);
  });
});
