import { Aspects, Fn, TerraformElement, TerraformLocal, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { DataVaultTransitSign } from '@cdktf/provider-vault/lib/data-vault-transit-sign';
import { GenericEndpoint } from '@cdktf/provider-vault/lib/generic-endpoint';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendRole, PkiSecretBackendRoleConfig } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import {
  TransitSecretBackendKey,
  TransitSecretBackendKeyConfig,
} from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import {
  CheckLevel,
  CheckStatus,
  CheckedElement,
  ElementRule,
  PLATFORM_TRUST_RULES,
  PLATFORM_TRUST_RULE_IDS,
  PlatformTrustChecks,
  compliant,
  selects,
  viewsOfFragment,
} from '../../../lib/checks';
import { buildStackContext } from '../../../lib/checks/private/context';
import { resolvedFragment } from '../../../lib/checks/element-view';
import { PlatformTrustStack } from '../../../stacks/platform-trust-stack';
import { dev } from '../../../stacks/environments';
import { BundleSignatureRole, declareElement } from '../../../lib/core';
import { annotate, checkedStack, ruleNotes } from './helpers';

// Raw provider resources written by hand, as any stack might hold them: none of this library's constructs.

type Build = (stack: TerraformStack) => void;

const key = (stack: TerraformStack, over: Partial<TransitSecretBackendKeyConfig> = {}) =>
  new TransitSecretBackendKey(stack, 'Key', {
    backend: 'transit',
    name: 'node-task-signer',
    type: 'ed25519',
    exportable: false,
    allowPlaintextBackup: false,
    deletionAllowed: false,
    autoRotatePeriod: 0,
    lifecycle: { preventDestroy: true },
    ...over,
  });

const role = (stack: TerraformStack, over: Partial<PkiSecretBackendRoleConfig> = {}) =>
  new PkiSecretBackendRole(stack, 'Role', {
    backend: 'pki-nodes',
    name: 'node-enroll',
    allowedDomains: ['nodes.example.internal'],
    allowSubdomains: true,
    allowAnyName: false,
    serverFlag: false,
    clientFlag: true,
    ttl: '86400',
    maxTtl: '259200',
    ...over,
  });

const root = (stack: TerraformStack, over: { protect?: boolean; type?: string } = {}) => {
  const mount = new Mount(stack, 'PkiRoot', {
    path: 'pki-root',
    type: 'pki',
    lifecycle: { preventDestroy: over.protect ?? true },
  });
  new PkiSecretBackendRootCert(stack, 'Root', {
    backend: mount.path,
    type: over.type ?? 'internal',
    commonName: 'Node root CA',
    issuerName: 'node-root',
    lifecycle: { preventDestroy: over.protect ?? true },
  });
};

const policy = (text: string) => (stack: TerraformStack) => {
  new Mount(stack, 'Kv', { path: 'kv', type: 'kv', options: { version: '2' }, lifecycle: { preventDestroy: true } });
  new Mount(stack, 'Transit', { path: 'transit', type: 'transit', lifecycle: { preventDestroy: true } });
  new Policy(stack, 'Policy', { name: 'consumer', policy: text });
};

const bundle = (nodePath: string) => (stack: TerraformStack) =>
  new KvSecretV2(stack, 'Bundle', {
    mount: 'kv',
    name: 'bootstrap/bundle',
    dataJson: JSON.stringify({
      env: {
        GPUAAS_CA_BUNDLE_PATH: '/etc/gpuaas/trust/control-plane-ca.pem',
        GPUAAS_NODE_CERT_CA_BUNDLE_PATH: nodePath,
      },
    }),
  });

/** A verifier set written by hand, as literal JSON. */
const verifierSet = (entries: Array<Record<string, unknown>>) =>
  JSON.stringify({ format: 'gpuaas-task-signing-pubkeys/v1', key: 'node-task-signer', keys: entries });

const BUNDLE_TYPE_V2 = 'application/vnd.cdktf-platform-trust.bootstrap-bundle.v2+json';

/** A key set written by hand, as a JSON object. */
const keySet = (format: string, name: string) => ({
  format,
  key: name,
  keys: [{ version: 1, kid: `${name}:v1:0011223344556677`, alg: 'ed25519', public_key: 'x', state: 'active' }],
});

/**
 * A bundle of format v2 written by hand, signed during apply by sign writes over the DSSE encoding of its JSON:
 * `signer` (default the bundle key "bundle-signer"), and with `migration` a second, declared, by the task key.
 */
const handBundle =
  (opts: {
    verifiers: boolean;
    signed: boolean;
    vaultAddr?: boolean;
    signer?: string;
    migration?: boolean;
    unbounded?: boolean;
  }) =>
  (stack: TerraformStack) => {
    const body = {
      schema: 'cdktf-platform-trust/bootstrap-bundle/v2',
      environment: 'dev',
      sequence: 1,
      ...(opts.unbounded ? {} : { freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 } }),
      ...(opts.vaultAddr ? { agent: { VAULT_ADDR: 'https://vault.dev.internal:8200' } } : {}),
      ...(opts.verifiers
        ? {
            task_verifiers: {
              path: '/etc/gpuaas/trust/task-signing-pubkeys.json',
              set: keySet('gpuaas-task-signing-pubkeys/v1', 'node-task-signer'),
            },
            bundle_keys: { set: keySet('cdktf-platform-trust/bundle-keys/v1', 'bundle-signer') },
            env: { GPUAAS_TASK_SIGNING_PUBKEYS: '/etc/gpuaas/trust/task-signing-pubkeys.json' },
          }
        : {}),
    };
    const local = new TerraformLocal(stack, 'BundleJson', JSON.stringify(body));
    const input = Fn.base64encode(
      Fn.join('', [
        `DSSEv1 ${BUNDLE_TYPE_V2.length} ${BUNDLE_TYPE_V2} `,
        Fn.tostring(Fn.lengthOf(local.asString)),
        ' ',
        local.asString,
      ]),
    );
    const sign = (id: string, keyName: string) =>
      new GenericEndpoint(stack, id, {
        path: `transit/sign/${keyName}`,
        dataJson: Fn.jsonencode({ input, key_version: '1' }),
        writeFields: ['signature'],
        disableRead: true,
        disableDelete: true,
      });
    if (opts.signed) sign('Sign', opts.signer ?? 'bundle-signer');
    if (opts.migration) {
      declareElement(sign('MigrationSign', 'node-task-signer'), {
        bundle_signature: BundleSignatureRole.MIGRATION_FROM_V1,
      });
    }
    new KvSecretV2(stack, 'Bundle', {
      mount: 'kv',
      name: 'bootstrap/bundle',
      dataJson: Fn.jsonencode({ bundle: local.asString }),
    });
  };

/** A sign write during apply, over a literal input. */
const signWrite = (stack: TerraformStack, keyName: string) =>
  new GenericEndpoint(stack, 'Sign', {
    path: `transit/sign/${keyName}`,
    dataJson: JSON.stringify({ input: 'aGk=', key_version: '1' }),
    writeFields: ['signature'],
    disableRead: true,
    disableDelete: true,
  });

/** A policy that can sign with the bundle key, with or without the rotate right that makes it the apply identity's. */
const bundleSignPolicy = (rotate: boolean) => (stack: TerraformStack) => {
  new Policy(stack, 'Signer', {
    name: rotate ? 'terraform-apply' : 'control-plane',
    policy: [
      'path "transit/sign/bundle-signer" {\n  capabilities = ["update"]\n}\n',
      rotate ? 'path "transit/keys/bundle-signer/rotate" {\n  capabilities = ["update"]\n}\n' : '',
    ].join(''),
  });
};

const PEM_KEY = ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIB', '-----END EC PRIVATE KEY-----'].join('\n');

/** For every rule: a hand-written stack that breaks it, and the fixed stack. */
const CASES: Record<string, { level: 'error' | 'warning'; bad: Build; good: Build }> = {
  'PlatformTrust-TransitKeyExportable': {
    level: 'error',
    bad: (s) => key(s, { exportable: true }),
    good: (s) => key(s),
  },
  'PlatformTrust-TransitKeyPlaintextBackup': {
    level: 'error',
    bad: (s) => key(s, { allowPlaintextBackup: true }),
    good: (s) => key(s),
  },
  'PlatformTrust-TransitKeyDeletable': {
    level: 'error',
    bad: (s) => {
      key(s);
      new GenericEndpoint(s, 'AllowDelete', {
        path: 'transit/keys/node-task-signer/config',
        dataJson: JSON.stringify({ deletion_allowed: true }),
      });
    },
    good: (s) => key(s),
  },
  'PlatformTrust-TransitKeyAutoRotate': {
    level: 'error',
    bad: (s) => key(s, { autoRotatePeriod: 2_592_000 }),
    good: (s) => key(s),
  },
  'PlatformTrust-TransitKeySymmetricSigner': {
    level: 'error',
    bad: (s) => {
      key(s, { name: 'tasks', type: 'hmac' });
      signWrite(s, 'tasks');
    },
    good: (s) => {
      key(s, { name: 'tasks' });
      signWrite(s, 'tasks');
    },
  },
  'PlatformTrust-TransitKeySymmetric': {
    level: 'warning',
    bad: (s) => key(s, { name: 'app-data', type: 'aes256-gcm96' }),
    good: (s) => key(s),
  },
  'PlatformTrust-SigningKeyPreventDestroy': {
    level: 'error',
    bad: (s) => key(s, { lifecycle: { preventDestroy: false } }),
    good: (s) => key(s),
  },
  'PlatformTrust-CaRootPreventDestroy': {
    level: 'error',
    bad: (s) => root(s, { protect: false }),
    good: (s) => root(s),
  },
  'PlatformTrust-PkiKeyExported': {
    level: 'error',
    bad: (s) => root(s, { type: 'exported' }),
    good: (s) => root(s),
  },
  'PlatformTrust-PkiRoleAnyName': {
    level: 'error',
    bad: (s) => role(s, { allowAnyName: true }),
    good: (s) => role(s),
  },
  'PlatformTrust-PkiRoleTtlBounds': {
    level: 'error',
    bad: (s) => role(s, { ttl: undefined, maxTtl: undefined }),
    good: (s) => role(s),
  },
  'PlatformTrust-PkiRoleServerAndClient': {
    level: 'error',
    bad: (s) => role(s, { serverFlag: undefined, clientFlag: undefined }),
    good: (s) => role(s),
  },
  'PlatformTrust-PolicySudo': {
    level: 'error',
    bad: policy('path "sys/policies/acl/*" {\n  capabilities = ["create", "update", "sudo"]\n}\n'),
    good: policy('path "sys/policies/acl/consumer" {\n  capabilities = ["read"]\n}\n'),
  },
  'PlatformTrust-PolicyBroadGlob': {
    level: 'error',
    bad: policy('path "kv/*" {\n  capabilities = ["read", "list"]\n}\n'),
    good: policy('path "kv/data/apps/billing/db" {\n  capabilities = ["read"]\n}\n'),
  },
  'PlatformTrust-PolicyKvGlob': {
    level: 'warning',
    bad: policy('path "kv/data/apps/billing/*" {\n  capabilities = ["read"]\n}\n'),
    good: policy('path "kv/data/apps/billing/db" {\n  capabilities = ["read"]\n}\n'),
  },
  'PlatformTrust-PolicyTransitKeyMaterial': {
    level: 'error',
    bad: policy('path "transit/export/signing-key/node-task-signer" {\n  capabilities = ["read"]\n}\n'),
    good: policy('path "transit/sign/node-task-signer" {\n  capabilities = ["update"]\n}\n'),
  },
  'PlatformTrust-PolicyTransitKeyConfig': {
    level: 'warning',
    bad: policy('path "transit/keys/node-task-signer/config" {\n  capabilities = ["update"]\n}\n'),
    good: policy(
      'path "transit/keys/node-task-signer/config" {\n  capabilities = ["update"]\n  allowed_parameters = {\n    "min_decryption_version" = []\n  }\n}\n',
    ),
  },
  'PlatformTrust-PolicyUnparsable': {
    level: 'warning',
    bad: policy('path "kv/data/apps/billing/db" {\n  capabilities = ["read"\n'),
    good: policy('path "kv/data/apps/billing/db" {\n  capabilities = ["read"]\n}\n'),
  },
  'PlatformTrust-BundleSamePath': {
    level: 'error',
    bad: bundle('/etc/gpuaas/trust/control-plane-ca.pem'),
    good: bundle('/etc/gpuaas/trust/node-cert-ca.pem'),
  },
  'PlatformTrust-VerifierSetExplicit': {
    level: 'error',
    bad: (s) =>
      new TerraformLocal(
        s,
        'Verifiers',
        verifierSet([
          { version: 1, state: 'grace' },
          { version: 2, state: 'active' },
        ]),
      ),
    good: (s) =>
      new TerraformLocal(
        s,
        'Verifiers',
        verifierSet([
          { version: 1, state: 'grace', until: '2027-01-31T00:00:00Z' },
          { version: 2, state: 'active' },
        ]),
      ),
  },
  'PlatformTrust-BundleSignedWithVerifiers': {
    level: 'error',
    bad: handBundle({ verifiers: false, signed: false }),
    good: handBundle({ verifiers: true, signed: true }),
  },
  'PlatformTrust-BundleFreshnessBounded': {
    level: 'error',
    bad: handBundle({ verifiers: true, signed: true, unbounded: true }),
    good: handBundle({ verifiers: true, signed: true }),
  },
  'PlatformTrust-BundleVaultAccess': {
    level: 'error',
    bad: handBundle({ verifiers: true, signed: true, vaultAddr: true }),
    good: handBundle({ verifiers: true, signed: true }),
  },
  'PlatformTrust-NoPlanTimeSigning': {
    level: 'error',
    bad: (s) => {
      key(s);
      new DataVaultTransitSign(s, 'Sign', { path: 'transit', name: 'node-task-signer', input: 'aGk=' });
    },
    good: (s) => {
      key(s);
      signWrite(s, 'node-task-signer');
    },
  },
  'PlatformTrust-BundleKeySignApplyOnly': {
    level: 'error',
    bad: (s) => {
      handBundle({ verifiers: true, signed: true })(s);
      bundleSignPolicy(false)(s);
    },
    good: (s) => {
      handBundle({ verifiers: true, signed: true })(s);
      bundleSignPolicy(true)(s);
    },
  },
  'PlatformTrust-BundleSignedByBundleKey': {
    level: 'error',
    bad: handBundle({ verifiers: true, signed: true, signer: 'node-task-signer' }),
    good: handBundle({ verifiers: true, signed: true, migration: true }),
  },
  'PlatformTrust-NoPushToNodes': {
    level: 'error',
    bad: (s) =>
      new KvSecretV2(s, 'Bundle', {
        mount: 'kv',
        name: 'bootstrap/bundle',
        dataJson: JSON.stringify({ sequence: 1 }),
        provisioners: [{ type: 'local-exec', command: 'scp bundle.json node-7:/etc/gpuaas/trust/' }],
      }),
    good: (s) =>
      new KvSecretV2(s, 'Bundle', {
        mount: 'kv',
        name: 'bootstrap/bundle',
        dataJson: JSON.stringify({ sequence: 1 }),
      }),
  },
  'PlatformTrust-NonDeterministicValue': {
    level: 'error',
    bad: (s) =>
      new KvSecretV2(s, 'Meta', { mount: 'kv', name: 'apps/meta', dataJson: Fn.jsonencode({ at: Fn.timestamp() }) }),
    good: (s) =>
      new KvSecretV2(s, 'Meta', {
        mount: 'kv',
        name: 'apps/meta',
        dataJson: Fn.jsonencode({ at: '2027-01-31T00:00:00Z' }),
      }),
  },
  'PlatformTrust-SecretInConfig': {
    level: 'error',
    bad: (s) => new KvSecretV2(s, 'Seed', { mount: 'kv', name: 'apps/x', dataJson: JSON.stringify({ key: PEM_KEY }) }),
    good: (s) =>
      new KvSecretV2(s, 'Seed', { mount: 'kv', name: 'apps/x', dataJson: JSON.stringify({ key: 'public' }) }),
  },
};

describe('PlatformTrustChecks on hand-written provider resources', () => {
  test('every rule of the pack has a synth case', () => {
    expect(Object.keys(CASES).sort()).toEqual([...PLATFORM_TRUST_RULE_IDS].sort());
  });

  describe.each(Object.entries(CASES))('%s', (id, c) => {
    const rule = PLATFORM_TRUST_RULES.find((r) => r.id === id)!;

    test(`GIVEN a stack that breaks it THEN a${c.level === 'error' ? 'n' : ''} ${c.level} annotation in the pack format`, () => {
      const { stack } = checkedStack();
      c.bad(stack);
      const notes = annotate(stack).filter((n) => n.message.startsWith(`[${id}]`));
      expect(notes.length).toBeGreaterThanOrEqual(1);
      for (const n of notes) {
        expect(n.level).toBe(c.level);
        expect(n.message.startsWith(`[${id}] ${rule.description}. `)).toBe(true);
        expect(n.message.endsWith(`. Fix: ${rule.fix}`)).toBe(true);
      }
    });

    test('GIVEN the fixed stack THEN the pack reports nothing at all', () => {
      const { stack } = checkedStack();
      c.good(stack);
      expect(ruleNotes(annotate(stack))).toEqual([]);
    });
  });

  test('an error finding fails app.synth() with the rule id; warnings alone do not', () => {
    const bad = checkedStack();
    key(bad.stack, { exportable: true });
    expect(() => bad.app.synth()).toThrow(
      /\[PlatformTrust-TransitKeyExportable\] A transit key must not be exportable/,
    );

    const warned = checkedStack();
    key(warned.stack, { name: 'app-data', type: 'aes256-gcm96' });
    expect(() => warned.app.synth()).not.toThrow();
    expect(warned.checks.findings.map((f) => `${f.level} ${f.ruleId} ${f.address}`)).toEqual([
      'warning PlatformTrust-TransitKeySymmetric vault_transit_secret_backend_key.Key',
    ]);
  });

  test('values that are tokens are not applicable, not failures', () => {
    const { stack } = checkedStack();
    const flag = new TerraformVariable(stack, 'exportable', { type: 'bool' });
    const period = new TerraformVariable(stack, 'period', { type: 'number' });
    key(stack, { exportable: flag.booleanValue, autoRotatePeriod: period.numberValue });
    role(stack, { maxTtl: new TerraformVariable(stack, 'max_ttl', { type: 'string' }).stringValue });
    new TerraformLocal(stack, 'Env', {
      GPUAAS_CA_BUNDLE_PATH: new TerraformVariable(stack, 'path', { type: 'string' }).stringValue,
      GPUAAS_NODE_CERT_CA_BUNDLE_PATH: '${var.path}',
    });
    expect(ruleNotes(annotate(stack))).toEqual([]);
  });

  test('a literal token in the provider block is reported on the provider', () => {
    const { stack, checks } = checkedStack({ token: `hvs.${'Zx9Yw8Vu'.repeat(4)}` });
    Testing.synth(stack);
    expect(checks.findings.map((f) => [f.ruleId, f.path, f.detail])).toEqual([
      [
        'PlatformTrust-SecretInConfig',
        'test/vault',
        'Found a Vault token at provider.vault[0].token (hvs.Zx… (36 chars))',
      ],
    ]);
  });

  test('a policy referencing a mount through ${vault_mount.<id>.path} is checked against the mount path', () => {
    const { stack } = checkedStack();
    const kv = new Mount(stack, 'Kv', { path: 'platform/kv', type: 'kv-v2', lifecycle: { preventDestroy: true } });
    new Policy(stack, 'Policy', {
      name: 'p',
      policy: `path "${kv.path}/metadata/*" {\n  capabilities = ["list"]\n}\n`,
    });
    expect(ruleNotes(annotate(stack))).toEqual(['error PlatformTrust-PolicyBroadGlob']);
  });
});

describe('what each rule applies to (supportedResources)', () => {
  /** Every element view of a stack, and the stack facts the rules see. */
  function viewsOf(stack: TerraformStack): { views: CheckedElement[]; context: ReturnType<typeof buildStackContext> } {
    const views = stack.node
      .findAll()
      .filter((c): c is TerraformElement => TerraformElement.isTerraformElement(c))
      .flatMap((e) => viewsOfFragment(resolvedFragment(e), e.node.path));
    return { views, context: buildStackContext(views) };
  }

  const stacks: Array<[string, () => TerraformStack]> = [
    ...Object.entries(CASES).map(([id, c]): [string, () => TerraformStack] => [
      `the bad case of ${id}`,
      () => {
        const { stack } = checkedStack();
        c.bad(stack);
        return stack;
      },
    ]),
    ['the dev stack', () => new PlatformTrustStack(Testing.app(), { environment: dev, checks: false })],
  ];

  test.each(stacks)('GIVEN %s THEN no rule finds anything on an element it does not declare', (_name, build) => {
    const { views, context } = viewsOf(build());
    const hidden: string[] = [];
    for (const rule of PLATFORM_TRUST_RULES) {
      if (rule.scope !== 'element') continue;
      for (const view of views) {
        if (selects(rule.supportedResources, view)) continue;
        const result = rule.check(view, context);
        if (result.status === CheckStatus.NON_COMPLIANT) hidden.push(`${rule.id} on ${view.address}`);
      }
    }
    expect(hidden).toEqual([]);
  });

  test('GIVEN a rule for vault_policy only THEN the engine runs it on policies and on nothing else', () => {
    const seen: string[] = [];
    const spy: ElementRule = {
      id: 'PlatformTrust-Spy',
      scope: 'element',
      supportedResources: ['vault_policy'],
      level: CheckLevel.WARNING,
      description: 'Records what it is run on',
      fix: 'Nothing to fix.',
      check(element) {
        seen.push(`${element.kind} ${element.type}`);
        return compliant();
      },
    };
    const app = Testing.app();
    const stack = new PlatformTrustStack(app, { environment: dev, checks: false });
    Aspects.of(stack).add(new PlatformTrustChecks({ rules: [spy] }));
    Testing.synth(stack);
    expect(seen.length).toBeGreaterThan(0);
    expect([...new Set(seen)]).toEqual(['resource vault_policy']);
  });
});
