import * as fc from 'fast-check';
import { Capability, ErrorCode, PlatformTrustError, PolicyDocument } from '../../../lib/core';
import { PolicyParseError, parsePolicyText } from '../../../lib/checks/private/policy-text';

describe('parsePolicyText', () => {
  test('reads the HCL that PolicyDocument renders, parameters included', () => {
    const doc = new PolicyDocument().addRule({ path: 'kv/data/apps/a', capabilities: [Capability.READ] }).addRule({
      path: 'transit/sign/k',
      capabilities: [Capability.UPDATE],
      requiredParameters: ['key_version'],
      allowedParameters: { key_version: ['2'], input: [] },
      deniedParameters: { context: [] },
    });
    expect(parsePolicyText(doc.toHcl())).toEqual([
      { path: 'kv/data/apps/a', capabilities: ['read'], line: 1 },
      {
        path: 'transit/sign/k',
        capabilities: ['update'],
        allowedParameters: ['input', 'key_version'],
        allowedValues: { input: [], key_version: ['2'] },
        deniedParameters: ['context'],
        line: 4,
      },
    ]);
  });

  test('reads hand-written text: comments, trailing commas, one-line blocks, heredoc and legacy policy', () => {
    const text = [
      '# operators',
      'path "sys/mounts" { capabilities = ["read", "list",] }',
      '// a KV folder',
      'path "kv/data/ops/*" {',
      '  capabilities = [',
      '    "read", # inline comment',
      '    "list"',
      '  ]',
      '  /* a block',
      '     comment */',
      '  comment = <<-EOT',
      '    free text',
      '  EOT',
      '}',
      'path "secret/*" {',
      '  policy = "write"',
      '}',
      'name = "not a path block"',
    ].join('\n');
    expect(parsePolicyText(text)).toEqual([
      { path: 'sys/mounts', capabilities: ['read', 'list'], line: 2 },
      { path: 'kv/data/ops/*', capabilities: ['read', 'list'], line: 4 },
      { path: 'secret/*', capabilities: ['create', 'read', 'update', 'delete', 'list'], line: 15 },
    ]);
  });

  test('keeps Terraform template sequences in paths verbatim', () => {
    expect(
      parsePolicyText('path "${vault_mount.kv.path}/data/${lookup(var.m, "a")}" { capabilities = ["read"] }'),
    ).toEqual([{ path: '${vault_mount.kv.path}/data/${lookup(var.m, "a")}', capabilities: ['read'], line: 1 }]);
  });

  test('reads JSON policies', () => {
    const json = JSON.stringify({
      path: {
        'transit/export/signing-key/k': { capabilities: ['read'] },
        'secret/*': { policy: 'sudo' },
      },
    });
    expect(parsePolicyText(json)).toEqual([
      { path: 'secret/*', capabilities: ['create', 'read', 'update', 'delete', 'list', 'sudo'], line: 1 },
      { path: 'transit/export/signing-key/k', capabilities: ['read'], line: 1 },
    ]);
  });

  test.each([
    ['path "a" {', 'line 1, column 11: expected a name, found the end of the text'],
    ['path "a" { capabilities = ["read" }', 'line 1, column 35: expected "," or "]" in a list, found "}"'],
    ['path "a {}', 'unterminated string'],
    ['path "a" { capabilities = ["LIST"] }', 'path "a": invalid capability "LIST"'],
    ['path "a" { capabilities = ["read"] } @', 'unexpected character "@"'],
    ['{ "path": ', 'invalid JSON'],
  ])('refuses %j with a located error', (text, message) => {
    expect(() => parsePolicyText(text)).toThrow(PolicyParseError);
    let error: PolicyParseError | undefined;
    try {
      parsePolicyText(text);
    } catch (e) {
      error = e as PolicyParseError;
    }
    // The checks quote "line <l>, column <c>: <reason>"; the error itself is a PlatformTrustError (PT033).
    expect(error!.detail).toContain(message);
    expect(error).toBeInstanceOf(PlatformTrustError);
    expect(error!.code).toBe(ErrorCode.POLICY_PARSE);
    expect(error!.message).toMatch(/^\[PT033\] Cannot read the Vault policy text: .+ Received: .+\. Fix: /);
  });

  test('property: every PolicyDocument renders to text that parses back to its paths and capabilities', () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/);
    const rule = fc.record({
      segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
      glob: fc.boolean(),
      capabilities: fc.subarray(
        [Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.DELETE, Capability.LIST],
        {
          minLength: 1,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 6 }), (rules) => {
        const doc = new PolicyDocument();
        for (const r of rules) {
          doc.addRule({
            path: `${r.segments.join('/')}${r.glob ? '/*' : ''}`,
            capabilities: r.capabilities,
            allowGlob: r.glob,
          });
        }
        const parsed = parsePolicyText(doc.toHcl()).map((s) => ({ path: s.path, capabilities: s.capabilities }));
        expect(parsed).toEqual(doc.toRules().map((r) => ({ path: r.path, capabilities: [...r.capabilities] })));
      }),
    );
  });
});
