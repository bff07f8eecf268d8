import * as fc from 'fast-check';
import { Capability, ErrorCode, PlatformTrustError, PolicyDocument } from '../../../lib/core';
import {
  KV_V2_MATRIX,
  approleMintSecretIdRules,
  approleReadRoleIdRules,
  kvRules,
} from '../../../lib/secrets/private/grant-rules';
import { CategoryShape, KvOperation, SecretCategory } from '../../../lib/secrets';

const MOUNT = 'dev/kv';
const rulesOf = (path: string, op: KvOperation, subtree = false) =>
  kvRules(MOUNT, path, [op], { subtree }).map((r) => [r.path, [...r.capabilities]]);

describe('KV v2 grant matrix', () => {
  test.each([
    [KvOperation.READ, [['dev/kv/data/apps/billing/db', ['read']]]],
    [KvOperation.READ_METADATA, [['dev/kv/metadata/apps/billing/db', ['read']]]],
    [KvOperation.WRITE, [['dev/kv/data/apps/billing/db', ['create', 'update']]]],
    [
      KvOperation.DELETE,
      [
        ['dev/kv/data/apps/billing/db', ['delete']],
        ['dev/kv/delete/apps/billing/db', ['update']],
      ],
    ],
    [KvOperation.UNDELETE, [['dev/kv/undelete/apps/billing/db', ['update']]]],
    [
      KvOperation.DESTROY,
      [
        ['dev/kv/destroy/apps/billing/db', ['update']],
        ['dev/kv/metadata/apps/billing/db', ['delete']],
      ],
    ],
  ])('%s on a secret', (op, expected) => {
    expect(rulesOf('apps/billing/db', op)).toEqual(expected);
  });

  test('list takes a folder and keeps the trailing slash Vault adds to LIST requests', () => {
    expect(rulesOf('apps/billing/', KvOperation.LIST)).toEqual([['dev/kv/metadata/apps/billing/', ['list']]]);
    expect(rulesOf('registry/', KvOperation.LIST)).toEqual([['dev/kv/metadata/registry/', ['list']]]);
    expect(() => rulesOf('apps/billing', KvOperation.LIST)).toThrow('does not end with "/"');
  });

  test.each([
    [KvOperation.READ, [['dev/kv/data/apps/billing/*', ['read']]]],
    [KvOperation.WRITE, [['dev/kv/data/apps/billing/*', ['create', 'update']]]],
    [KvOperation.LIST, [['dev/kv/metadata/apps/billing/*', ['list']]]],
    [
      KvOperation.DESTROY,
      [
        ['dev/kv/destroy/apps/billing/*', ['update']],
        ['dev/kv/metadata/apps/billing/*', ['delete']],
      ],
    ],
  ])('%s on a subtree uses a trailing glob after the folder', (op, expected) => {
    expect(rulesOf('apps/billing/', op, true)).toEqual(expected);
    expect(kvRules(MOUNT, 'apps/billing/', [op], { subtree: true }).every((r) => r.allowGlob === true)).toBe(true);
  });

  test('a subtree grant needs the folder slash, so "apps/bill*" can never match "apps/billing-other"', () => {
    expect(() => kvRules(MOUNT, 'apps/bill', [KvOperation.READ], { subtree: true })).toThrow('does not end with "/"');
  });

  test('a folder without subtree is refused for secret operations', () => {
    expect(() => kvRules(MOUNT, 'apps/billing/', [KvOperation.READ])).toThrow('{ subtree: true }');
  });

  test('every rule renders into a policy document (core validation accepts it)', () => {
    const doc = new PolicyDocument();
    for (const op of Object.values(KvOperation)) {
      const leaf = op === KvOperation.LIST ? 'apps/billing/' : 'apps/billing/db';
      kvRules(MOUNT, leaf, [op]).forEach((r) => doc.addRule(r));
      kvRules(MOUNT, 'apps/billing/', [op], { subtree: true }).forEach((r) => doc.addRule(r));
    }
    expect(doc.toHcl()).not.toContain('sudo');
  });

  test('the matrix never lists sudo and covers every operation', () => {
    expect(Object.keys(KV_V2_MATRIX).sort()).toEqual(Object.values(KvOperation).sort());
    for (const rows of Object.values(KV_V2_MATRIX)) {
      for (const row of rows) expect(row.capabilities).not.toContain('sudo');
    }
  });

  test('AppRole deploy rules', () => {
    expect(approleReadRoleIdRules('dev-approle', 'dev-control-plane')).toEqual([
      { path: 'auth/dev-approle/role/dev-control-plane/role-id', capabilities: [Capability.READ] },
    ]);
    expect(approleMintSecretIdRules('dev-approle', 'dev-control-plane')).toEqual([
      { path: 'auth/dev-approle/role/dev-control-plane/secret-id', capabilities: [Capability.UPDATE] },
    ]);
  });
});

describe('KV v2 grant properties', () => {
  const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9_-]{0,8}[a-z0-9])?$/);
  const leafSegment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/);
  const mount = fc
    .array(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,6}$/), { minLength: 1, maxLength: 3 })
    .map((s) => s.join('/'));
  const operation = fc.constantFrom(...Object.values(KvOperation));
  /** A valid secret or folder path for the operation and subtree flag. */
  const validGrant = fc
    .record({
      category: fc.constantFrom(...SecretCategory.ALL),
      owner: segment,
      rest: fc.array(leafSegment, { minLength: 1, maxLength: 3 }),
      op: operation,
      subtree: fc.boolean(),
      folderDepth: fc.nat({ max: 2 }),
    })
    .map(({ category, owner, rest, op, subtree, folderDepth }) => {
      const flat = category.shape === CategoryShape.FLAT;
      const folder = subtree || op === KvOperation.LIST;
      let path: string;
      if (folder) {
        const parts = flat ? [category.prefix] : [category.prefix, owner, ...rest].slice(0, 1 + folderDepth);
        path = `${parts.join('/')}/`;
      } else {
        path = (flat ? [category.prefix, owner] : [category.prefix, owner, ...rest]).join('/');
      }
      return { path, op, subtree };
    });

  test('every generated grant path stays under the mount and the API prefix of its operation', () => {
    fc.assert(
      fc.property(mount, validGrant, (m, g) => {
        const rules = kvRules(m, g.path, [g.op], { subtree: g.subtree });
        expect(rules.length).toBeGreaterThan(0);
        for (const r of rules) {
          expect(r.path.startsWith(`${m}/`)).toBe(true);
          const [api, ...rest] = r.path.slice(m.length + 1).split('/');
          expect(['data', 'metadata', 'delete', 'undelete', 'destroy']).toContain(api);
          expect(rest.join('/')).toBe(`${g.path}${g.subtree ? '*' : ''}`);
          expect(r.path.split('/')).not.toContain('..');
        }
      }),
    );
  });

  test('no rule ever has sudo, and "*" appears only when a subtree was requested', () => {
    fc.assert(
      fc.property(mount, validGrant, (m, g) => {
        for (const r of kvRules(m, g.path, [g.op], { subtree: g.subtree })) {
          expect(r.capabilities as readonly string[]).not.toContain('sudo');
          expect(r.path.includes('*')).toBe(g.subtree);
          if (g.subtree) expect(r.path.endsWith('/*')).toBe(true);
        }
      }),
    );
  });

  test('arbitrary input either is refused with a PlatformTrustError or stays under the mount', () => {
    const nasty = fc
      .array(
        fc.oneof(
          fc.constantFrom('..', '.', '', '*', '+', 'dev', 'kv', 'apps', 'registry', 'signing', 'operators', 'data'),
          leafSegment,
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 6 },
      )
      .chain((parts) => fc.constantFrom(parts.join('/'), `/${parts.join('/')}`, `${parts.join('/')}/`));
    fc.assert(
      fc.property(nasty, operation, fc.boolean(), (path, op, subtree) => {
        let rules;
        try {
          rules = kvRules('dev/kv', path, [op], { subtree });
        } catch (e) {
          expect(e).toBeInstanceOf(PlatformTrustError);
          expect([ErrorCode.PATH_OUTSIDE_MOUNT, ErrorCode.INVALID_SECRET_PATH]).toContain(
            (e as PlatformTrustError).code,
          );
          return;
        }
        for (const r of rules) {
          expect(r.path.startsWith('dev/kv/')).toBe(true);
          expect(r.path.split('/').some((s) => s === '..' || s === '.')).toBe(false);
          expect(r.path.includes('*')).toBe(subtree);
          expect(r.path.slice('dev/kv/'.length).split('/')[1]).toMatch(/^(registry|signing|apps|operators|bootstrap)$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
