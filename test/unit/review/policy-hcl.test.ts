import * as fc from 'fast-check';
import { Capability, PolicyDocument } from '../../../lib/core/policy-document';
import { PlatformTrustError } from '../../../lib/core/errors';
import { diffPolicies, parsePolicy, sortCapabilities } from '../../../lib/core/policy-hcl';

/** Rules without their source line (the JSON form has no lines; lines are tested separately). */
function withoutLines<T extends { line: number }>(rules: readonly T[]): Array<Omit<T, 'line'>> {
  return rules.map(({ line: _line, ...rest }) => rest);
}

describe('parsePolicy', () => {
  test('GIVEN the HCL that PolicyDocument renders WHEN read THEN every rule comes back', () => {
    // GIVEN
    const doc = new PolicyDocument()
      .addRule({ path: 'dev/kv/data/apps/control-plane/*', capabilities: [Capability.READ], allowGlob: true })
      .addRule({
        path: 'dev/transit/sign/node-task-signer',
        capabilities: [Capability.UPDATE],
        requiredParameters: ['key_version'],
        allowedParameters: { key_version: ['2'], input: [] },
      })
      .addRule({ path: 'dev/kv/metadata/x', capabilities: [Capability.LIST, Capability.READ] });

    // WHEN
    const parsed = parsePolicy(doc.toHcl());

    // THEN
    expect(parsed.ignored).toEqual([]);
    expect(withoutLines(parsed.rules)).toEqual([
      { path: 'dev/kv/data/apps/control-plane/*', capabilities: ['read'], other: {} },
      { path: 'dev/kv/metadata/x', capabilities: ['read', 'list'], other: {} },
      {
        path: 'dev/transit/sign/node-task-signer',
        capabilities: ['update'],
        requiredParameters: ['key_version'],
        allowedParameters: { input: [], key_version: ['2'] },
        other: {},
      },
    ]);
  });

  test('GIVEN a hand-written policy with comments, repeated paths and parameter blocks WHEN read THEN it is merged like Vault does', () => {
    // GIVEN
    const text = [
      '# Control plane policy, edited by hand',
      '// signing',
      'path "transit/sign/node-task-signer" {',
      '  capabilities = ["update"] # sign only',
      '  /* the version',
      '     is pinned */',
      '  allowed_parameters {',
      '    "key_version" = ["1"]',
      '    input = []',
      '  }',
      '  required_parameters = ["key_version"]',
      '}',
      '',
      'path "secret/data/app/*" { capabilities = ["read", "list"] }',
      'path "secret/data/app/*" {',
      '  capabilities = ["create", "read"]',
      '  denied_parameters = { "force" = [] }',
      '  min_wrapping_ttl = "1h"',
      '  max_wrapping_ttl = 7200',
      '}',
      'path "sys/legacy" { policy = "write" }',
      'path "sys/legacy-deny" {',
      '  policy = "deny"',
      '}',
      'name = "not a path block"',
    ].join('\n');

    // WHEN
    const parsed = parsePolicy(text);

    // THEN
    expect(parsed.ignored).toEqual(['name']);
    expect(withoutLines(parsed.rules)).toEqual([
      {
        path: 'secret/data/app/*',
        capabilities: ['create', 'read', 'list'],
        deniedParameters: { force: [] },
        other: { max_wrapping_ttl: '7200', min_wrapping_ttl: '"1h"' },
      },
      { path: 'sys/legacy', capabilities: ['create', 'read', 'update', 'delete', 'list'], other: {} },
      { path: 'sys/legacy-deny', capabilities: ['deny'], other: {} },
      {
        path: 'transit/sign/node-task-signer',
        capabilities: ['update'],
        requiredParameters: ['key_version'],
        allowedParameters: { input: [], key_version: ['1'] },
        other: {},
      },
    ]);
  });

  test('GIVEN the JSON form of a policy WHEN read THEN it gives the same rules as HCL', () => {
    // GIVEN
    const json = JSON.stringify({
      path: {
        'transit/sign/k': { capabilities: ['update'], allowed_parameters: { key_version: ['3'] } },
        'kv/data/a': { capabilities: ['read'] },
      },
    });
    const hcl =
      'path "kv/data/a" { capabilities = ["read"] }\npath "transit/sign/k" { capabilities = ["update"]\n allowed_parameters = { key_version = ["3"] } }';

    // WHEN / THEN
    expect(withoutLines(parsePolicy(json).rules)).toEqual(withoutLines(parsePolicy(hcl).rules));
  });

  test('GIVEN heredoc strings, escapes and sudo WHEN read THEN values and order are right', () => {
    const text =
      'path "sys/\\"quoted\\"/x" {\n  capabilities = ["sudo", "read", "subscribe", "create"]\n  comment = <<-EOT\n    line one\n    line two\n  EOT\n}\n';
    const [rule] = parsePolicy(text).rules;
    expect(rule.path).toBe('sys/"quoted"/x');
    expect(rule.capabilities).toEqual(['create', 'read', 'sudo', 'subscribe']);
    expect(rule.other).toEqual({ comment: JSON.stringify('line one\nline two\n') });
  });

  test('GIVEN an empty policy WHEN read THEN there are no rules', () => {
    expect(parsePolicy('')).toEqual({ rules: [], ignored: [] });
    expect(parsePolicy('# nothing here\n')).toEqual({ rules: [], ignored: [] });
  });

  test.each([
    ['path "a" {\n  capabilities = ["read"]\n', 'expected a name, found the end of the text at line 3'],
    ['path "a" {\n  capabilities = ["read]\n}', 'unterminated string at line 2, column 19'],
    ['path "a" {\n  capabilities ["read"]\n}', 'expected "{", found "[" at line 2, column 16'],
    ['path "a" { capabilities = ["reed"] }', 'path "a": invalid capability "reed" at line 1, column 1'],
    ['path "a" { capabilites = ["read"] }', 'path "a": invalid key "capabilites" at line 1, column 12'],
    ['path "a" { capabilities = ["read"]\n capabilities = ["list"] }', '"capabilities" is set twice'],
    ['vault_addr = "x"\npath "a" { capabilities = ["read"] }', 'invalid key "vault_addr" (path or name) at line 1'],
    ['path "a" { capabilities = ["read"] } /* open', 'unterminated /* comment at line 1'],
    ['path "a" { capabilities = ["read"] } @', 'unexpected character "@" at line 1, column 38'],
    ['{"path": ', 'invalid JSON'],
  ])('GIVEN unreadable text %j WHEN read THEN the error says where (%s)', (text, where) => {
    expect(() => parsePolicy(text)).toThrow(PlatformTrustError);
    expect(() => parsePolicy(text)).toThrow(where);
  });
});

describe('diffPolicies', () => {
  const before = parsePolicy(
    [
      'path "dev/transit/sign/k" {',
      '  capabilities = ["update"]',
      '  required_parameters = ["key_version"]',
      '  allowed_parameters = { "input" = [], "key_version" = ["1"] }',
      '}',
      'path "dev/kv/data/a" { capabilities = ["read", "list"] }',
      'path "dev/pki/issue/old" { capabilities = ["update"] }',
    ].join('\n'),
  );
  const after = parsePolicy(
    [
      'path "dev/transit/sign/k" {',
      '  capabilities = ["update"]',
      '  required_parameters = ["key_version"]',
      '  allowed_parameters = { "input" = [], "key_version" = ["2"], "context" = [] }',
      '  denied_parameters = { "batch_input" = [] }',
      '}',
      'path "dev/kv/data/a" { capabilities = ["read", "delete"] }',
      'path "dev/kv/data/new" { capabilities = ["read"]\n min_wrapping_ttl = "1h" }',
    ].join('\n'),
  );

  test('GIVEN two versions of a policy WHEN compared THEN each path says what it gains and loses', () => {
    expect(diffPolicies(before, after)).toEqual([
      {
        path: 'dev/kv/data/a',
        change: 'changed',
        capabilities: ['read', 'delete'],
        capabilitiesAdded: ['delete'],
        capabilitiesRemoved: ['list'],
        details: [],
      },
      {
        path: 'dev/kv/data/new',
        change: 'added',
        capabilities: ['read'],
        capabilitiesAdded: ['read'],
        capabilitiesRemoved: [],
        details: ['min_wrapping_ttl = "1h"'],
      },
      {
        path: 'dev/pki/issue/old',
        change: 'removed',
        capabilities: ['update'],
        capabilitiesAdded: [],
        capabilitiesRemoved: ['update'],
        details: [],
      },
      {
        path: 'dev/transit/sign/k',
        change: 'changed',
        capabilities: ['update'],
        capabilitiesAdded: [],
        capabilitiesRemoved: [],
        details: [
          'allowed_parameters "context" added: []',
          'allowed_parameters "key_version": ["1"] → ["2"]',
          'denied_parameters added: "batch_input" = []',
        ],
      },
    ]);
  });

  test('GIVEN the same rules written differently WHEN compared THEN there is no difference', () => {
    const a = parsePolicy('path "x" { capabilities = ["read", "list"] }');
    const b = parsePolicy('# same\npath "x" {\n  capabilities = ["list"]\n}\npath "x" { capabilities = ["read"] }');
    expect(diffPolicies(a, b)).toEqual([]);
  });

  test('GIVEN a created or deleted policy WHEN compared THEN every path is added or removed', () => {
    expect(diffPolicies(undefined, before).map((d) => `${d.change} ${d.path}`)).toEqual([
      'added dev/kv/data/a',
      'added dev/pki/issue/old',
      'added dev/transit/sign/k',
    ]);
    expect(diffPolicies(before, undefined).every((d) => d.change === 'removed')).toBe(true);
  });

  test('sortCapabilities puts known capabilities in Vault order and unknown ones after', () => {
    expect(sortCapabilities(['list', 'zeta', 'deny', 'create', 'alpha', 'create'])).toEqual([
      'create',
      'list',
      'deny',
      'alpha',
      'zeta',
    ]);
  });
});

describe('parsePolicy and PolicyDocument agree (property)', () => {
  const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/);
  const rule = fc.record({
    path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
    capabilities: fc.subarray(Object.values(Capability), { minLength: 1 }),
    params: fc.option(fc.dictionary(segment, fc.array(segment, { maxLength: 3 }), { maxKeys: 3 }), { nil: undefined }),
  });

  test('every rendered document reads back to its own rules', () => {
    fc.assert(
      fc.property(fc.uniqueArray(rule, { selector: (r) => r.path, maxLength: 6 }), (rules) => {
        const doc = new PolicyDocument();
        for (const r of rules) {
          doc.addRule({
            path: r.path,
            capabilities: r.capabilities,
            ...(r.params ? { allowedParameters: r.params } : {}),
          });
        }
        const parsed = parsePolicy(doc.toHcl());
        expect(withoutLines(parsed.rules)).toEqual(
          doc.toRules().map((r) => ({
            path: r.path,
            capabilities: r.capabilities.includes(Capability.DENY) ? ['deny'] : sortCapabilities(r.capabilities),
            // Vault keeps no parameters on a denied path, and neither does the reader
            ...(r.allowedParameters && !r.capabilities.includes(Capability.DENY)
              ? { allowedParameters: r.allowedParameters }
              : {}),
            other: {},
          })),
        );
      }),
    );
  });
});

describe('parsePolicy source lines', () => {
  test('each rule carries the line of the first block for its path', () => {
    const text =
      '# header\npath "a" { capabilities = ["read"] }\n\npath "b" {\n  capabilities = ["list"]\n}\npath "a" { capabilities = ["update"] }\n';
    expect(parsePolicy(text).rules.map((r) => [r.path, r.line])).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
  });

  test('template sequences in paths are kept verbatim, quotes inside them included', () => {
    expect(
      parsePolicy('path "${vault_mount.kv.path}/data/${lookup(var.m, "a")}" { capabilities = ["read"] }').rules[0].path,
    ).toBe('${vault_mount.kv.path}/data/${lookup(var.m, "a")}');
  });
});
