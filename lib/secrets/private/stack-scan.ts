/**
 * Synth-time scans of a stack, used by `node.addValidation` checks. They read each resource's own
 * configuration (`toTerraform()`), so they see mounts declared by any construct, not only this library's.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { duplicate } from '../../core/errors';
import { isToken } from '../../core/validation';

/** A secrets-engine mount found in a stack. */
export interface FoundMount {
  /** Mount path with surrounding "/" removed. */
  readonly path: string;
  /** Construct path of the resource, for the message. */
  readonly constructPath: string;
}

/**
 * Every resource of `resourceType` ("vault_mount", "vault_auth_backend") in the stack of `scope` whose
 * `path` is a literal (token paths are skipped).
 */
export function findMounts(scope: IConstruct, resourceType = 'vault_mount'): FoundMount[] {
  const out: FoundMount[] = [];
  for (const c of TerraformStack.of(scope).node.findAll()) {
    if (!(c instanceof TerraformResource) || c.terraformResourceType !== resourceType) continue;
    const body = c.toTerraform()?.resource?.[resourceType] ?? {};
    for (const config of Object.values(body) as Array<{ path?: unknown }>) {
      const path = config?.path;
      if (typeof path !== 'string' || isToken(path)) continue;
      out.push({ path: path.replace(/^\/+|\/+$/g, ''), constructPath: c.node.path });
    }
  }
  return out;
}

/**
 * Messages for every other mount of the same kind in the stack whose path equals or nests with `own`
 * (Vault refuses both). Empty when `own` is a token.
 */
export function mountConflicts(
  scope: IConstruct,
  own: string,
  ownConstructPath: string,
  resourceType = 'vault_mount',
): string[] {
  if (isToken(own)) return [];
  const kind = resourceType === 'vault_auth_backend' ? 'auth mount' : 'mount';
  const messages: string[] = [];
  for (const m of findMounts(scope, resourceType)) {
    if (m.constructPath === ownConstructPath) continue;
    const same = m.path === own;
    if (same || m.path.startsWith(`${own}/`) || own.startsWith(`${m.path}/`)) {
      messages.push(
        duplicate(
          `${same ? '' : 'or overlapping '}${kind} path: the ${kind} at ${ownConstructPath} and the ${kind} at ${m.constructPath} ${same ? 'both use it' : 'nest'}`,
          same ? own : [own, m.path],
          'give every mount in the stack its own path, none a prefix of another (for example "<env>/kv", "<env>/transit").',
        ).message,
      );
    }
  }
  return messages;
}
