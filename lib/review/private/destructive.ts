/**
 * The plan summary (counts as the engine prints them) and the destructive warnings: what deleting or replacing
 * each resource means in Vault, and the order of the warning section. Internal to lib/review.
 */
import { PlanSummary, PlanWarning, WarningKind } from '../explanation';
import { PlanResourceChange, str } from '../plan-json';
import { Context, Entry, byString } from './context';
import { isApplyTimeSigner } from './signing';

const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: 'an argument that cannot change in place changed',
  replace_because_tainted: 'the object is tainted',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count/for_each changed',
  delete_because_count_index: 'count index no longer exists',
  delete_because_each_key: 'for_each key no longer exists',
  delete_because_no_move_target: 'moved target no longer exists',
  read_because_config_unknown: 'its arguments are known only at apply',
  read_because_dependency_pending: 'a dependency has changes',
  read_because_check_nested: 'read for a check block',
};

/** Why a resource changes, in words (from `action_reason` and `replace_paths`). */
export function why(rc: PlanResourceChange | undefined): string | undefined {
  if (!rc) return undefined;
  const parts: string[] = [];
  if (rc.action_reason) parts.push(REASONS[rc.action_reason] ?? rc.action_reason);
  const paths = (rc.change.replace_paths ?? []).map((p) => p.join('.')).sort();
  if (paths.length) parts.push(`forced by ${paths.join(', ')}`);
  return parts.length ? parts.join('; ') : undefined;
}

const NAME_ATTRIBUTES = ['name', 'role_name', 'issuer_name', 'path'];

/** For a replacement that changes a name: `; the new one is <name>`. */
function renamed(e: Entry): string {
  if (e.kind !== 'replace') return '';
  for (const k of NAME_ATTRIBUTES) {
    const b = str(e.before, k);
    const a = str(e.after, k);
    if (b !== undefined && a !== undefined && a !== b) return `; the new one is named \`${a}\``;
  }
  return '';
}

/** What deleting (or replacing) a resource means in Vault, in one phrase. */
function destroyMeaning(e: Entry, replace: boolean): string {
  const v = e.before ?? {};
  const s = (k: string) => str(v, k) ?? '?';
  switch (e.type) {
    case 'vault_mount':
      return `mount \`${s('path')}\` (type ${s('type')}) is disabled: everything stored in it (secrets, keys, certificates) is deleted`;
    case 'vault_auth_backend':
      return `auth mount \`${s('path')}\` is disabled: its roles are deleted and logins through it stop working`;
    case 'vault_transit_secret_backend_key':
      return `transit key \`${s('backend')}/keys/${s('name')}\` is ${replace ? 'deleted and created again as a new key (version 1, new public keys)' : 'deleted'}: every version is lost and nodes reject tasks signed by the new key until they get a new verifier set`;
    case 'vault_pki_secret_backend_root_cert':
      return `root issuer \`${s('issuer_name')}\` in \`${s('backend')}\` is ${replace ? 'replaced by a new root with a new key (new pin)' : 'deleted with its key'}`;
    case 'vault_pki_secret_backend_intermediate_set_signed':
    case 'vault_pki_secret_backend_root_sign_intermediate':
    case 'vault_pki_secret_backend_intermediate_cert_request':
      return `intermediate CA material in \`${s('backend')}\` is ${replace ? 're-issued' : 'removed'}`;
    case 'vault_pki_secret_backend_config_issuers':
      return `the default-issuer configuration of \`${s('backend')}\` is ${replace ? 'written again' : 'removed'}`;
    case 'vault_pki_secret_backend_role':
      return `PKI role \`${s('name')}\` in \`${s('backend')}\` is ${replace ? 're-created' : 'deleted'}`;
    case 'vault_policy':
      return `policy \`${s('name')}\` is ${replace ? 're-created' : 'deleted: tokens that hold it lose its grants'}`;
    case 'vault_approle_auth_backend_role':
      return `AppRole role \`${s('role_name')}\` in \`${s('backend')}\` is ${replace ? 're-created with a new role_id: existing secret_ids stop working' : 'deleted: the control plane can no longer log in with it'}`;
    case 'vault_kv_secret_v2':
      return `secret \`${s('mount')}/${s('name')}\` is ${replace ? 'written again as a new secret' : 'deleted'}`;
    case 'vault_kv_secret_backend_v2':
      return `the KV settings of \`${s('mount')}\` are ${replace ? 'written again' : 'removed'}`;
    case 'vault_generic_endpoint':
      return `endpoint \`${s('path')}\`${v.disable_delete === true ? ' (disable_delete: no call to Vault on destroy)' : ''}`;
    case 'vault_audit':
      return `audit device \`${s('path')}\` is ${replace ? 're-created' : 'disabled: requests stop being logged to it'}`;
    default:
      return `a ${e.type}`;
  }
}

/** Counts managed changes as the engine does, and warns about every delete and replace. */
export function summarize(ctx: Context): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let forget = 0;
  for (const e of ctx.managed) {
    if (e.kind === 'create' || e.kind === 'replace') add++;
    if (e.kind === 'delete' || e.kind === 'replace') destroy++;
    if (e.kind === 'update') change++;
    if (e.kind === 'forget') forget++;
    // Replacing an apply-time signature resource signs again during apply and deletes nothing in Vault.
    if (e.kind === 'replace' && isApplyTimeSigner(e)) continue;
    if (e.kind === 'delete' || e.kind === 'replace') {
      const reason = why(e.rc);
      ctx.warnings.push({
        kind: e.kind === 'delete' ? WarningKind.DELETE : WarningKind.REPLACE,
        subject: e.address,
        message: `${destroyMeaning(e, e.kind === 'replace')}${renamed(e)}${reason ? ` (${reason})` : ''}.`,
      });
    }
  }
  return {
    add,
    change,
    destroy,
    forget,
    text: `Plan: ${add} to add, ${change} to change, ${destroy} to destroy${forget ? `, ${forget} to forget` : ''}.`,
  };
}

/** Order of the warning section: destructive first, then versions going down. */
const WARNING_ORDER: readonly WarningKind[] = [
  WarningKind.DELETE,
  WarningKind.REPLACE,
  WarningKind.ROTATION_DESTROYED,
  WarningKind.FLOOR_DOWN,
  WarningKind.SEQUENCE_DOWN,
  WarningKind.PUBLIC_KEY_CHANGED,
];

/** Warnings in the order of the warning section, then by subject and message. */
export function sortWarnings(warnings: readonly PlanWarning[]): PlanWarning[] {
  return [...warnings].sort(
    (a, b) =>
      WARNING_ORDER.indexOf(a.kind) - WARNING_ORDER.indexOf(b.kind) ||
      byString(a.subject, b.subject) ||
      byString(a.message, b.message),
  );
}
