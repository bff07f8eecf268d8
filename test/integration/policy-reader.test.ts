/**
 * The policy reader (`parsePolicy`, lib/core/policy-hcl) against a real Vault-API server, on a corpus of policy
 * texts: for each text the reader accepts it exactly when the server accepts it (`PUT sys/policies/acl/<name>`).
 * Where both accept, what the reader extracts (paths, capabilities, required, allowed and denied parameters,
 * wrapping TTLs) equals the server's own reading: the resultant ACL (`sys/internal/ui/resultant-acl`) of a token
 * that holds only that policy and a probe policy that lets it read its ACL.
 *
 * The server shows its reading in its own shape, mapped here and nowhere else: a path that ends in `*` (without
 * a `+` segment) is a glob under the path without the `*`, a path with a `+` segment is a glob under the whole
 * path, other paths are exact; a path with no capability shows as `deny`; parameter values keep their HCL type
 * (compared as the reader's text: strings as they are, other values as JSON); empty parameter lists and zero
 * TTLs are not shown; on a denied path only the capability is compared (the server may keep another block's
 * required_parameters there; nothing is granted either way).
 *
 * Where the reader and the server legitimately differ, the case says so in `differs`, with the reason, and the
 * test asserts that difference, so it fails if either side changes. A case whose reading cannot be compared says
 * so in `notCompared`, with the reason, and asserts what it can.
 */
import { Capability, PolicyDocument, PolicyTextError, parsePolicy } from '../../lib/core';
import type { ParsedPolicy } from '../../lib/core';
import { durationSeconds } from '../../lib/core/private/policy-hcl-values';
import { VaultClient, VaultServer } from './vault-server';

interface Case {
  readonly title: string;
  readonly text: string;
  /** The server's verdict where the reader's is the other one, and why that is right. */
  readonly differs?: { readonly server: 'accepts' | 'refuses'; readonly reason: string };
  /** Both accept, but part of the reading cannot be compared: what, why, and what is asserted instead. */
  readonly notCompared?: {
    readonly what: 'paths' | 'wrapping TTLs';
    readonly reason: string;
    readonly check: (reader: ParsedPolicy, acl: Acl) => void;
  };
}

const PROBE_PATH = 'sys/internal/ui/resultant-acl';
const PROBE_POLICY = `path "${PROBE_PATH}" { capabilities = ["read"] }`;

/** The HCL the library itself renders (PolicyDocument.toHcl), as a grant to the control plane looks. */
const RENDERED = new PolicyDocument()
  .addRule({ path: 'dev/kv/data/apps/control-plane/*', capabilities: [Capability.READ], allowGlob: true })
  .addRule({
    path: 'dev/transit/sign/node-task-signer',
    capabilities: [Capability.UPDATE],
    requiredParameters: ['key_version'],
    allowedParameters: { key_version: ['2'], input: [] },
    deniedParameters: { batch_input: [] },
  })
  .addRule({ path: 'dev/kv/metadata/+/config', capabilities: [Capability.LIST, Capability.READ] })
  .toHcl();

const ACCEPTED: Case[] = [
  { title: 'the HCL the library renders', text: RENDERED },
  { title: 'one exact path', text: 'path "secret/data/a" { capabilities = ["read"] }' },
  {
    title: 'comments of every kind, in and between blocks',
    text: [
      '# a hash comment',
      '// a slash comment',
      '/* a block',
      '   comment */',
      'path "kv/data/ops/*" { # after the brace',
      '  capabilities = [',
      '    "read", // after an element',
      '    /* before an element */ "list",',
      '  ]',
      '} // after the block',
      '#',
    ].join('\n'),
  },
  {
    title: 'globs: a trailing *, + segments, + with a trailing *, a * inside a segment',
    text: [
      'path "secret/data/apps/*" { capabilities = ["read"] }',
      'path "secret/+/teams/+/config" { capabilities = ["read", "list"] }',
      'path "+/metadata/*" { capabilities = ["list"] }',
      'path "pki*" { capabilities = ["read"] }',
      'path "kv/a*b" { capabilities = ["read"] }',
    ].join('\n'),
  },
  {
    title: 'every parameter kind, TTLs as a string and a number',
    text: [
      'path "transit/sign/node-task-signer" {',
      '  capabilities = ["update"]',
      '  required_parameters = ["key_version", "input"]',
      '  allowed_parameters = {',
      '    "key_version" = ["2", "3"]',
      '    "input" = []',
      '  }',
      '  denied_parameters = { "batch_input" = [] }',
      '  min_wrapping_ttl = "1m"',
      '  max_wrapping_ttl = 3600',
      '}',
    ].join('\n'),
  },
  {
    title: 'parameters as nested blocks, repeated, and a glob parameter name',
    text: [
      'path "auth/approle/role/+/secret-id" {',
      '  capabilities = ["create", "update"]',
      '  allowed_parameters {',
      '    "metadata" = []',
      '  }',
      '  allowed_parameters {',
      '    "*" = []',
      '  }',
      '  denied_parameters { ttl = ["0"] }',
      '}',
    ].join('\n'),
  },
  {
    title: 'parameter values that are not strings, and names in mixed case (Vault stores them lower case)',
    text: 'path "a" { capabilities = ["update"] allowed_parameters = { Key_Version = [2, true, 010, 0x1F, 1.50] } }',
  },
  {
    title: 'a parameter given as a block: its value is one object',
    text: 'path "a" { capabilities = ["update"] allowed_parameters { x { y = 1 } } }',
  },
  { title: 'quoted keys', text: '"path" "a" { "capabilities" = ["read"] "allowed_parameters" = { "x" = [] } }' },
  { title: 'an unquoted path label', text: 'path a { capabilities = ["read"] }' },
  {
    title: 'two labels: Vault uses the first',
    text: 'path "secret/a" "ignored" { capabilities = ["read"] }',
  },
  { title: 'no label: the path is "path"', text: 'path { capabilities = ["read"] }' },
  { title: 'path as an attribute: the path is "path"', text: 'path = { capabilities = ["list"] }' },
  { title: 'a leading slash is dropped', text: 'path "/secret/data/b" { capabilities = ["read"] }' },
  { title: 'an empty path', text: 'path "" { capabilities = ["read"] }' },
  { title: 'a non-ASCII path', text: 'path "kv/data/équipe/ü" { capabilities = ["read"] }' },
  {
    title: 'escapes: \\n \\t \\" \\\\ \\u, \\U, \\x, octal, \\a \\v \\f \\b',
    text: 'path "e/\\n\\t\\"\\\\\\u00e9\\U0001F600\\x41\\101\\a\\v\\f\\b" { capabilities = ["read"] }',
  },
  {
    title: 'a template sequence in a path, with quotes and a new line inside',
    text: 'path "kv/${lookup(var.m, "a")\n}/x" { capabilities = ["read"] }',
  },
  {
    title: 'a heredoc and an indented heredoc as comments',
    text: [
      'path "a" {',
      '  capabilities = ["read"]',
      '  comment = <<EOT',
      '  "quoted" } { braces',
      'EOT',
      '}',
      'path "b" {',
      '  comment = <<-EOT',
      '    indented',
      '    EOT',
      '  capabilities = ["list"]',
      '}',
    ].join('\n'),
  },
  {
    title: 'blocks for one path are merged (capabilities, required parameters)',
    text: [
      'path "a" { capabilities = ["read"] required_parameters = ["x"] }',
      'path "a" { capabilities = ["list"] required_parameters = ["y"] }',
    ].join('\n'),
  },
  {
    title: 'merged parameters: an empty list (any value) wins, other values are united',
    text: [
      'path "a" { capabilities = ["update"] allowed_parameters = { x = ["1"], y = ["1"] } }',
      'path "a" { allowed_parameters = { x = [], y = ["2"] } }',
    ].join('\n'),
  },
  {
    title: 'deny in one block denies the whole path',
    text: 'path "a" { capabilities = ["read", "update"] required_parameters = ["x"] }\npath "a" { capabilities = ["deny"] }',
  },
  { title: 'deny with other capabilities', text: 'path "a" { capabilities = ["read", "deny"] }' },
  {
    title: 'deny ends the checks of its block (a bad capability and TTL after it pass)',
    text: 'path "a" { capabilities = ["deny", "reed"] min_wrapping_ttl = "abc" }',
  },
  { title: 'an empty capability list', text: 'path "a" { capabilities = [] }' },
  { title: 'an empty block', text: 'path "a" { }' },
  {
    title: 'every capability Vault knows',
    text: 'path "a" { capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo", "subscribe", "recover"] }',
  },
  { title: 'a repeated capability', text: 'path "a" { capabilities = ["read", "read"] }' },
  {
    title: 'the legacy policy shorthand, alone and with capabilities',
    text: [
      'path "a" { policy = "read" }',
      'path "b" { policy = "write" }',
      'path "c" { policy = "sudo" }',
      'path "d" { policy = "deny" capabilities = ["reed"] }',
      'path "e" { policy = "read" capabilities = ["update"] }',
    ].join('\n'),
  },
  {
    title: 'wrapping TTLs in every form Vault reads',
    text: [
      'path "a" { capabilities = ["read"] min_wrapping_ttl = "90" }',
      'path "b" { capabilities = ["read"] min_wrapping_ttl = "1d" max_wrapping_ttl = "+2d" }',
      'path "c" { capabilities = ["read"] min_wrapping_ttl = "1h30m" max_wrapping_ttl = "2h" }',
      'path "d" { capabilities = ["read"] min_wrapping_ttl = "1.5s" max_wrapping_ttl = ".5h" }',
      'path "e" { capabilities = ["read"] min_wrapping_ttl = 1.5 max_wrapping_ttl = 1e2 }',
      'path "f" { capabilities = ["read"] min_wrapping_ttl = -5 }',
      'path "g" { capabilities = ["read"] min_wrapping_ttl = "-1h" }',
      'path "h" { capabilities = ["read"] min_wrapping_ttl = "2h" max_wrapping_ttl = "0" }',
      'path "i" { capabilities = ["read"] min_wrapping_ttl = "" }',
      'path "j" { capabilities = ["read"] min_wrapping_ttl = 010 max_wrapping_ttl = "5.h" }',
      'path "k" { capabilities = ["read"] min_wrapping_ttl = "1h" max_wrapping_ttl = "1h" }',
    ].join('\n'),
  },
  {
    title: 'wrapping TTLs in two blocks for one path',
    text: [
      'path "a" { capabilities = ["read"] min_wrapping_ttl = "1m" }',
      'path "a" { capabilities = ["read"] min_wrapping_ttl = "2m" max_wrapping_ttl = "3m" }',
    ].join('\n'),
    notCompared: {
      what: 'wrapping TTLs',
      reason:
        'the reader keeps each block\'s TTL text for the plan explainer ("1m" + "2m"); it does not compute the merged value',
      check: (reader, acl) => {
        expect(reader.rules[0].other).toEqual({ min_wrapping_ttl: '"1m" + "2m"', max_wrapping_ttl: '"3m"' });
        expect(acl.exact_paths.a).toMatchObject({ min_wrapping_ttl: 60, max_wrapping_ttl: 180 });
      },
    },
  },
  {
    title: 'other keys Vault allows in a path block',
    text: [
      'path "a" {',
      '  capabilities = ["read", "subscribe"]',
      '  comment = ["any", 1]',
      '  mfa_methods = ["totp", 2]',
      '  subscribe_event_types = ["kv*"]',
      '}',
    ].join('\n'),
  },
  {
    title: 'a control group with a factor',
    text: [
      'path "a" {',
      '  capabilities = ["read", "update"]',
      '  control_group = {',
      '    ttl = "4h"',
      '    factor "ops" {',
      '      identity { group_names = ["managers"] approvals = 1 }',
      '      controlled_capabilities = ["update"]',
      '    }',
      '  }',
      '}',
    ].join('\n'),
  },
  {
    title: 'commas between blocks and attributes, and after the last one',
    text: 'path "a" { capabilities = ["read"], min_wrapping_ttl = "1s", }, path "b" { capabilities = ["list"] },',
  },
  { title: 'the name key', text: 'name = "ops"\npath "a" { capabilities = ["read"] }' },
  { title: 'only a comment', text: '# nothing granted yet\n' },
  { title: 'only white space', text: '  \n\t\n' },
  { title: 'CRLF line ends', text: 'path "a" {\r\n  capabilities = ["read"]\r\n}\r\n' },
  {
    title: 'an attribute and a block with the same key',
    text: 'path "a" { capabilities = ["read"] allowed_parameters = { x = [] } allowed_parameters { y = [] } }',
  },
  {
    title: 'JSON: paths, parameters, TTLs, the legacy shorthand and name',
    text: JSON.stringify({
      name: 'ops',
      path: {
        'transit/sign/k': {
          capabilities: ['update'],
          required_parameters: ['key_version'],
          allowed_parameters: { key_version: ['2'], input: [] },
          denied_parameters: { batch_input: [] },
          min_wrapping_ttl: '1h',
          max_wrapping_ttl: 7200,
        },
        'secret/*': { policy: 'write' },
        'kv/+/x': { capabilities: ['list'] },
      },
    }),
  },
  {
    title: 'JSON: a list of path objects',
    text: '{"path": [{"a": {"capabilities": ["read"]}}, {"b": {"capabilities": ["list"]}}]}',
  },
  {
    title: 'JSON: a key given twice is kept twice (capabilities united)',
    text: '{"path": {"a": {"capabilities": ["read"], "capabilities": ["list"]}}}',
  },
  { title: 'JSON: a path with an empty body', text: '{"path": {"a": {}}}' },
  { title: 'JSON: null is unset', text: '{"path": {"a": {"capabilities": ["read"], "min_wrapping_ttl": null}}}' },
  { title: 'JSON: an empty object', text: '{}' },
  {
    title: 'an identity template in a path',
    text: 'path "secret/data/{{identity.entity.id}}/*" { capabilities = ["read"] }',
    notCompared: {
      what: 'paths',
      reason:
        'the server fills templated paths in per entity when a token is used; the probe token has no entity, so its ACL holds no templated path',
      check: (reader, acl) => {
        expect(reader.rules.map((r) => r.path)).toEqual(['secret/data/{{identity.entity.id}}/*']);
        expect(Object.keys({ ...acl.exact_paths, ...acl.glob_paths })).toEqual([PROBE_PATH]);
      },
    },
  },
];

const REFUSED: Case[] = [
  { title: 'an unterminated string', text: 'path "a { capabilities = ["read"] }' },
  { title: 'a string across lines', text: 'path "a" {\n  comment = "two\nlines"\n  capabilities = ["read"]\n}' },
  { title: 'an unterminated block comment', text: 'path "a" { capabilities = ["read"] }\n/* open' },
  { title: 'nested block comments', text: 'path "a" { capabilities = ["read"] }\n/* a /* b */ */' },
  { title: 'an unclosed heredoc', text: 'path "a" {\n  capabilities = ["read"]\n  comment = <<EOT\nnever closed\n}' },
  {
    title: 'a heredoc anchor with a space',
    text: 'path "a" {\n  capabilities = ["read"]\n  comment = << EOT\nx\nEOT\n}',
  },
  {
    title: 'a heredoc anchor with trailing text',
    text: 'path "a" {\n  capabilities = ["read"]\n  comment = <<EOT x\nx\nEOT\n}',
  },
  { title: 'an unknown escape', text: 'path "a\\q" { capabilities = ["read"] }' },
  { title: 'an escaped slash (JSON has it, HCL does not)', text: 'path "a\\/b" { capabilities = ["read"] }' },
  { title: 'a missing closing brace', text: 'path "a" { capabilities = ["read"] ' },
  { title: 'a missing closing bracket', text: 'path "a" { capabilities = [ "read"' },
  { title: 'a stray closing brace', text: 'path "a" { capabilities = ["read"] } }' },
  { title: 'trailing garbage: a bare word', text: 'path "a" { capabilities = ["read"] } xyz' },
  { title: 'trailing garbage: a string', text: 'path "a" { capabilities = ["read"] }\n"x"' },
  { title: 'trailing garbage: a number', text: 'path "a" { capabilities = ["read"] }\n123' },
  { title: 'trailing garbage: an equals sign', text: 'path "a" { capabilities = ["read"] }\n=' },
  { title: 'trailing garbage: an open brace', text: 'path "a" { capabilities = ["read"] }\n{' },
  { title: 'single quotes', text: "path 'a' { capabilities = ['read'] }" },
  { title: 'a byte order mark', text: '\ufeffpath "a" { capabilities = ["read"] }' },
  { title: 'a colon instead of =', text: 'path "a" { capabilities: ["read"] }' },
  { title: 'path "a" = { ... }', text: 'path "a" = { capabilities = ["read"] }' },
  { title: 'list elements without a comma', text: 'path "a" { capabilities = ["read" "list"] }' },
  { title: 'a bare word in a list', text: 'path "a" { capabilities = [read] }' },
  { title: 'a bare word as a value', text: 'path "a" { capabilities = ["read"] comment = foo }' },
  { title: 'an octal number with an 8 or 9', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = 09 }' },
  { title: 'an unknown capability', text: 'path "a" { capabilities = ["reed"] }' },
  { title: 'a capability in upper case', text: 'path "a" { capabilities = ["READ"] }' },
  { title: 'the root capability', text: 'path "a" { capabilities = ["root"] }' },
  { title: 'a bad capability before deny', text: 'path "a" { capabilities = ["reed", "deny"] }' },
  { title: 'a number as a capability', text: 'path "a" { capabilities = [1] }' },
  { title: 'a boolean as a capability', text: 'path "a" { capabilities = [true] }' },
  { title: 'a nested list as a capability', text: 'path "a" { capabilities = [["read"]] }' },
  { title: 'capabilities as a string', text: 'path "a" { capabilities = "read" }' },
  { title: 'capabilities as a heredoc', text: 'path "a" {\n  capabilities = <<EOT\nread\nEOT\n}' },
  { title: 'an unknown legacy policy', text: 'path "a" { policy = "bogus" }' },
  { title: 'the legacy policy as a list', text: 'path "a" { policy = ["read"] }' },
  {
    title: 'an unknown top-level key',
    text: 'vault_addr = "https://vault.internal"\npath "a" { capabilities = ["read"] }',
  },
  { title: 'an unknown top-level key at the end', text: 'path "a" { capabilities = ["read"] }\nextra = 1' },
  { title: 'name as a list', text: 'name = ["x"]\npath "a" { capabilities = ["read"] }' },
  { title: 'name as a block', text: 'name "x" { }' },
  { title: 'a misspelled key in a path block', text: 'path "a" { capabilites = ["read"] }' },
  { title: 'a description key (not a Vault key)', text: 'path "a" { capabilities = ["read"] description = "x" }' },
  {
    title: 'a path block inside a path block',
    text: 'path "a" {\n  capabilities = ["read"]\n  path "b" { capabilities = ["read"] }\n}',
  },
  { title: 'path as an attribute holding paths', text: 'path = { "a" = { capabilities = ["read"] } }' },
  { title: 'a duplicate key: capabilities', text: 'path "a" { capabilities = ["read"] capabilities = ["list"] }' },
  {
    title: 'a duplicate key: min_wrapping_ttl',
    text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "1s" min_wrapping_ttl = "2s" }',
  },
  {
    title: 'a duplicate key: allowed_parameters',
    text: 'path "a" { capabilities = ["read"] allowed_parameters = { x = [] } allowed_parameters = { y = [] } }',
  },
  {
    title: 'a duplicate key inside a parameter map',
    text: 'path "a" { capabilities = ["read"] allowed_parameters = { x = [] x = ["1"] } }',
  },
  { title: 'a duplicate key: name', text: 'name = "a"\nname = "b"\npath "a" { capabilities = ["read"] }' },
  { title: 'required_parameters as a string', text: 'path "a" { capabilities = ["read"] required_parameters = "x" }' },
  { title: 'a boolean required parameter', text: 'path "a" { capabilities = ["read"] required_parameters = [true] }' },
  { title: 'allowed_parameters as a list', text: 'path "a" { capabilities = ["read"] allowed_parameters = ["x"] }' },
  {
    title: 'a parameter value that is not a list',
    text: 'path "a" { capabilities = ["read"] allowed_parameters = { x = "1" } }',
  },
  { title: 'mfa_methods as a string', text: 'path "a" { capabilities = ["read"] mfa_methods = "m" }' },
  {
    title: 'subscribe_event_types as a string',
    text: 'path "a" { capabilities = ["read"] subscribe_event_types = "kv*" }',
  },
  { title: 'a TTL that is not a duration', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "abc" }' },
  { title: 'a TTL with a space', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = " 1h" }' },
  { title: 'a TTL unit in upper case', text: 'path "a" { capabilities = ["read"] max_wrapping_ttl = "1H" }' },
  { title: 'days combined with hours', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "1d2h" }' },
  { title: 'fractional days', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "1.5d" }' },
  { title: 'a number string with an exponent', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "1e3" }' },
  { title: 'a fraction without a unit', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "1.5" }' },
  { title: 'a boolean TTL', text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = true }' },
  {
    title: 'max_wrapping_ttl below min_wrapping_ttl',
    text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "2h" max_wrapping_ttl = "1h" }',
  },
  {
    title: 'a bad TTL in a second block',
    text: 'path "a" { capabilities = ["read"] }\npath "a" { min_wrapping_ttl = "abc" }',
  },
  { title: "'+*' in a path", text: 'path "secret/+*" { capabilities = ["read"] }' },
  {
    title: 'an unbalanced identity template',
    text: 'path "secret/{{identity.entity.id}/*" { capabilities = ["read"] }',
  },
  { title: 'an identity template closed before it opens', text: 'path "secret/}}x{{" { capabilities = ["read"] }' },
  {
    title: 'a control group without a factor',
    text: 'path "a" { capabilities = ["read"] control_group = { ttl = "1h" } }',
  },
  {
    title: 'a control group factor without an identity',
    text: 'path "a" { capabilities = ["read"] control_group = { factor "ops" { } } }',
  },
  {
    title: 'a control group factor with no approvals',
    text: 'path "a" { capabilities = ["read"] control_group = { factor "ops" { identity { group_names = ["m"] approvals = 0 } } } }',
  },
  {
    title: 'a control group factor on a capability the path lacks',
    text: 'path "a" { capabilities = ["read"] control_group = { factor "ops" { identity { group_names = ["m"] approvals = 1 } controlled_capabilities = ["update"] } } }',
  },
  {
    title: 'a control group ttl that is not a duration',
    text: 'path "a" { capabilities = ["read"] control_group = { ttl = "abc" factor "ops" { identity { group_names = ["m"] approvals = 1 } } } }',
  },
  { title: 'a control group as a string', text: 'path "a" { capabilities = ["read"] control_group = "x" }' },
  { title: 'a list at the top', text: '[]' },
  { title: 'JSON: an unknown capability', text: '{"path": {"a": {"capabilities": ["reed"]}}}' },
  { title: 'JSON: an unknown top-level key', text: '{"path": {"a": {"capabilities": ["read"]}}, "foo": 1}' },
  { title: 'JSON: capabilities as a string', text: '{"path": {"a": {"capabilities": "read"}}}' },
  { title: 'JSON: a path that is a string', text: '{"path": "a"}' },
  { title: 'JSON: a path body that is a string', text: '{"path": {"a": "read"}}' },
  { title: 'JSON: an escaped slash', text: '{"path": {"a\\/b": {"capabilities": ["read"]}}}' },
  {
    title: 'JSON: a path holding only parameter maps (flattened into labels by HCL, as Vault reads it)',
    text: '{"path": {"a": {"allowed_parameters": {"x": []}}}}',
  },
];

const DIFFERENT: Case[] = [
  {
    title: 'an empty text',
    text: '',
    differs: {
      server: 'refuses',
      reason:
        'the API refuses an empty `policy` parameter before it reads the policy language; as policy text it grants nothing, like a text that is only a comment, which the server accepts',
    },
  },
  {
    title: 'JSON without its last closing brace',
    text: '{"path": {"a": {"capabilities": ["read"]}}',
    differs: {
      server: 'accepts',
      reason:
        "HCL v1's JSON parser stops at the end of the text without asking for the last brace; the reader asks for one complete JSON object, so a cut-off text is reported rather than guessed at",
    },
  },
  {
    title: 'JSON followed by more text',
    text: '{"path": {"a": {"capabilities": ["read"]}}} x',
    differs: {
      server: 'accepts',
      reason:
        "HCL v1's JSON parser ignores what follows the object; the reader refuses it, as text after the policy is a mistake it should report",
    },
  },
  {
    title: 'a Terraform template sequence as a capability',
    text: 'path "a" { capabilities = ["${var.capability}"] }',
    differs: {
      server: 'refuses',
      reason:
        'the reader also reads policy text inside Terraform configuration (synthesized stacks, plans), before Terraform renders ${...}; it leaves such a value to Terraform, and the server only ever receives the rendered text',
    },
  },
  {
    title: 'a Terraform template sequence as a wrapping TTL',
    text: 'path "a" { capabilities = ["read"] min_wrapping_ttl = "${var.ttl}" }',
    differs: {
      server: 'refuses',
      reason: 'as above: a value with ${...} is rendered by Terraform before the server sees it',
    },
  },
];

const CORPUS: readonly Case[] = [...ACCEPTED, ...REFUSED, ...DIFFERENT];

/** The server's resultant ACL: path -> permissions. */
interface Acl {
  readonly exact_paths: Record<string, Permissions>;
  readonly glob_paths: Record<string, Permissions>;
}
interface Permissions {
  readonly capabilities: string[];
  readonly required_parameters?: string[];
  readonly allowed_parameters?: Record<string, unknown[]>;
  readonly denied_parameters?: Record<string, unknown[]>;
  readonly min_wrapping_ttl?: number;
  readonly max_wrapping_ttl?: number;
}

function read(text: string): { policy?: ParsedPolicy; error?: PolicyTextError } {
  try {
    return { policy: parsePolicy(text) };
  } catch (e) {
    if (e instanceof PolicyTextError) return { error: e };
    throw e;
  }
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const valueText = (v: unknown): string => (typeof v === 'string' ? v : canonicalJson(v));
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
function paramsOf(m: Readonly<Record<string, readonly unknown[]>> | undefined): Record<string, string[]> | undefined {
  if (!m || Object.keys(m).length === 0) return undefined;
  return Object.fromEntries(Object.keys(m).map((k) => [k, sorted([...new Set(m[k].map(valueText))])]));
}

/** Where the server files a path, and under which key (see the file comment). */
function aclKey(path: string): ['exact_paths' | 'glob_paths', string] {
  const segmentWildcard = path === '+' || path.startsWith('+/') || path.includes('/+');
  if (segmentWildcard) return ['glob_paths', path];
  if (path.endsWith('*')) return ['glob_paths', path.slice(0, -1)];
  return ['exact_paths', path];
}

/** A reading in one shape for both sides: permissions by where the server files them. */
type Reading = Record<string, Record<string, object>>;

function readerView(policy: ParsedPolicy, compareTtls: boolean): Reading {
  const view: Reading = { exact_paths: {}, glob_paths: {} };
  for (const rule of policy.rules) {
    const [where, key] = aclKey(rule.path);
    const deny = rule.capabilities.length === 0 || rule.capabilities.includes('deny');
    if (deny) {
      view[where][key] = { capabilities: ['deny'] };
      continue;
    }
    const ttl = (name: string) => {
      const text = rule.other[name];
      if (!compareTtls || text === undefined) return undefined;
      const seconds = Math.trunc(durationSeconds(JSON.parse(text))!);
      return seconds === 0 ? undefined : seconds;
    };
    view[where][key] = strip({
      capabilities: sorted(rule.capabilities),
      required_parameters: rule.requiredParameters?.length ? sorted(rule.requiredParameters) : undefined,
      allowed_parameters: paramsOf(rule.allowedParameters),
      denied_parameters: paramsOf(rule.deniedParameters),
      min_wrapping_ttl: ttl('min_wrapping_ttl'),
      max_wrapping_ttl: ttl('max_wrapping_ttl'),
    });
  }
  return view;
}

function serverView(acl: Acl, compareTtls: boolean): Reading {
  const view: Reading = { exact_paths: {}, glob_paths: {} };
  for (const where of ['exact_paths', 'glob_paths'] as const) {
    for (const [key, p] of Object.entries(acl[where] ?? {})) {
      if (where === 'exact_paths' && key === PROBE_PATH) continue;
      if (p.capabilities.includes('deny')) {
        view[where][key] = { capabilities: ['deny'] };
        continue;
      }
      view[where][key] = strip({
        capabilities: sorted(p.capabilities),
        required_parameters: p.required_parameters?.length ? sorted(p.required_parameters) : undefined,
        allowed_parameters: paramsOf(p.allowed_parameters),
        denied_parameters: paramsOf(p.denied_parameters),
        min_wrapping_ttl: compareTtls && p.min_wrapping_ttl ? p.min_wrapping_ttl : undefined,
        max_wrapping_ttl: compareTtls && p.max_wrapping_ttl ? p.max_wrapping_ttl : undefined,
      });
    }
  }
  return view;
}

function strip(o: Record<string, unknown>): object {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

describe('the policy reader against a real Vault-API server', () => {
  let server: VaultServer;
  let root: VaultClient;
  /** What each case saw, for the summary test. */
  const seen: Array<{ title: string; server: boolean; reader: boolean; compared: boolean }> = [];

  beforeAll(async () => {
    server = await VaultServer.start();
    root = server.root;
    const probe = await root.request('PUT', 'sys/policies/acl/reader-probe', { policy: PROBE_POLICY });
    expect(probe.status).toBe(204);
  });

  afterAll(async () => {
    await server?.stop();
  });

  test.each(CORPUS.map((c, i) => [c.title, c, i] as const))('%s', async (_title, c, i) => {
    // GIVEN the text, WHEN the reader and the server read it
    const ours = read(c.text);
    const put = await root.request('PUT', `sys/policies/acl/reader-${i}`, { policy: c.text });
    const serverAccepts = put.status === 204;
    if (!serverAccepts) expect(put.status).toBe(400); // a refusal of the text, never a server fault
    const readerAccepts = ours.policy !== undefined;
    if (ours.error) expect(ours.error.line).toBeGreaterThanOrEqual(1); // a refusal says where

    // THEN they agree, or differ exactly as the case says and for its reason
    const verdict = (accepts: boolean) => (accepts ? 'accepts' : 'refuses');
    const expected = c.differs
      ? { server: c.differs.server, reader: c.differs.server === 'accepts' ? 'refuses' : 'accepts' }
      : { server: verdict(serverAccepts), reader: verdict(serverAccepts) };
    expect({
      server: verdict(serverAccepts),
      reader: verdict(readerAccepts),
      serverSaid: serverAccepts ? '' : put.body?.errors?.join('; '),
      readerSaid: ours.error?.message ?? '',
    }).toEqual({ ...expected, serverSaid: expect.any(String), readerSaid: expect.any(String) });
    seen.push({ title: c.title, server: serverAccepts, reader: readerAccepts, compared: false });
    if (!serverAccepts || !readerAccepts) return;

    // AND where both accept, the reader's paths and permissions are the server's
    const token = await root.write('auth/token/create', {
      policies: [`reader-${i}`, 'reader-probe'],
      no_default_policy: true,
      ttl: '10m',
    });
    expect(token.status).toBe(200);
    const acl = await root.as(token.body.auth.client_token).read(PROBE_PATH);
    expect(acl.status).toBe(200);
    const data = acl.body.data as Acl;
    if (c.notCompared?.what === 'paths') {
      c.notCompared.check(ours.policy!, data);
      return;
    }
    const compareTtls = c.notCompared?.what !== 'wrapping TTLs';
    if (!compareTtls) c.notCompared!.check(ours.policy!, data);
    expect(readerView(ours.policy!, compareTtls)).toEqual(serverView(data, compareTtls));
    seen[seen.length - 1] = { ...seen[seen.length - 1], compared: true };
  });

  test('the corpus: every case was run, both verdicts occur, and most readings were compared', () => {
    expect(seen).toHaveLength(CORPUS.length);
    expect(CORPUS.filter((c) => c.text.includes(PROBE_PATH))).toEqual([]);
    const both = seen.filter((s) => s.server && s.reader);
    const neither = seen.filter((s) => !s.server && !s.reader);
    expect(both.length).toBe(ACCEPTED.length);
    expect(neither.length).toBe(REFUSED.length);
    expect(both.filter((s) => s.compared).length).toBe(ACCEPTED.length - 1);
    for (const feature of ['#', '//', '/*', '<<', '<<-', '"capabilities"', '+/', '/*"', 'required_parameters']) {
      expect(CORPUS.some((c) => c.text.includes(feature))).toBe(true);
    }
    for (const d of DIFFERENT) expect(d.differs!.reason.length).toBeGreaterThan(20);
  });
});
