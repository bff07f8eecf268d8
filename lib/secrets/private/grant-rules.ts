/**
 * PRIVATE: the one place that maps what a consumer may do to Vault API paths and capabilities.
 * Not re-exported from lib/secrets/index.ts; constructs call it and pass the rules to `Grant.addToPolicy`.
 *
 * KV v2 matrix (`<m>` = mount path, `<p>` = secret path, `<f>` = folder path ending in "/"):
 *
 * | operation       | API path            | capabilities       |
 * | --------------- | ------------------- | ------------------ |
 * | READ            | `<m>/data/<p>`      | read               |
 * | READ_METADATA   | `<m>/metadata/<p>`  | read               |
 * | WRITE           | `<m>/data/<p>`      | create, update     |
 * | LIST            | `<m>/metadata/<f>`  | list               |
 * | DELETE (soft)   | `<m>/data/<p>`      | delete             |
 * |                 | `<m>/delete/<p>`    | update             |
 * | UNDELETE        | `<m>/undelete/<p>`  | update             |
 * | DESTROY         | `<m>/destroy/<p>`   | update             |
 * |                 | `<m>/metadata/<p>`  | delete             |
 *
 * With `{ subtree: true }` the path is a folder `<f>` and every API path above becomes `<m>/<api>/<f>*`
 * (a trailing glob: Vault matches it as a prefix, so `<f>*` also covers `<f>` itself for LIST).
 * Without it, no rule ever carries "*". No rule ever carries "sudo" (the Capability enum has none).
 */
import { Capability, PolicyRule } from '../../core/policy-document';
import { KvGrantOptions, KvOperation, PathKind, validateSecretPath } from '../kv-layout';

/** KV v2 API sub-paths. */
export enum KvApi {
  DATA = 'data',
  METADATA = 'metadata',
  DELETE = 'delete',
  UNDELETE = 'undelete',
  DESTROY = 'destroy',
}

/** One row of the matrix: an API sub-path and the capabilities an operation needs on it. */
export interface KvApiGrant {
  readonly api: KvApi;
  readonly capabilities: readonly Capability[];
}

/** The KV v2 matrix. Frozen: the order of rows is the order rules are added. */
export const KV_V2_MATRIX: Readonly<Record<KvOperation, readonly KvApiGrant[]>> = Object.freeze({
  [KvOperation.READ]: [{ api: KvApi.DATA, capabilities: [Capability.READ] }],
  [KvOperation.READ_METADATA]: [{ api: KvApi.METADATA, capabilities: [Capability.READ] }],
  [KvOperation.WRITE]: [{ api: KvApi.DATA, capabilities: [Capability.CREATE, Capability.UPDATE] }],
  [KvOperation.LIST]: [{ api: KvApi.METADATA, capabilities: [Capability.LIST] }],
  [KvOperation.DELETE]: [
    { api: KvApi.DATA, capabilities: [Capability.DELETE] },
    { api: KvApi.DELETE, capabilities: [Capability.UPDATE] },
  ],
  [KvOperation.UNDELETE]: [{ api: KvApi.UNDELETE, capabilities: [Capability.UPDATE] }],
  [KvOperation.DESTROY]: [
    { api: KvApi.DESTROY, capabilities: [Capability.UPDATE] },
    { api: KvApi.METADATA, capabilities: [Capability.DELETE] },
  ],
});

/**
 * The policy rules that let a consumer perform `operations` on `path` (relative to the KV v2 mount `mountPath`).
 * Validates the path first (see `validateSecretPath`); LIST always takes a folder path.
 */
export function kvRules(
  mountPath: string,
  path: string,
  operations: readonly KvOperation[],
  options: KvGrantOptions = {},
): PolicyRule[] {
  const subtree = options.subtree === true;
  const rules: PolicyRule[] = [];
  for (const op of operations) {
    const rows = KV_V2_MATRIX[op];
    if (!rows) throw new TypeError(`Unknown KV operation ${JSON.stringify(op)}`);
    const kind = subtree || op === KvOperation.LIST ? PathKind.FOLDER : PathKind.SECRET;
    const checked = validateSecretPath(mountPath, path, kind).path;
    for (const row of rows) {
      rules.push({
        path: `${mountPath}/${row.api}/${checked}${subtree ? '*' : ''}`,
        capabilities: [...row.capabilities],
        ...(subtree ? { allowGlob: true } : {}),
      });
    }
  }
  return rules;
}

/** Lets a deploy identity read the role_id of an AppRole role. */
export function approleReadRoleIdRules(backendPath: string, roleName: string): PolicyRule[] {
  return [{ path: `auth/${backendPath}/role/${roleName}/role-id`, capabilities: [Capability.READ] }];
}

/**
 * Lets a deploy identity mint secret ids for an AppRole role. Callers should mint response-wrapped
 * (`-wrap-ttl`); enforcing that in policy needs `min_wrapping_ttl`, which PolicyRule does not model yet.
 */
export function approleMintSecretIdRules(backendPath: string, roleName: string): PolicyRule[] {
  return [{ path: `auth/${backendPath}/role/${roleName}/secret-id`, capabilities: [Capability.UPDATE] }];
}
