/**
 * What the hashicorp/vault provider (5.x) calls on Vault for each resource and data source type this library
 * declares: the reads a refresh and plan make, and the writes an apply makes. One entry per Terraform type, pure
 * functions of the element's resolved config. The CI runner's plan and apply policies are derived from these
 * entries over every element of a stack (see runner-access.ts), so a construct that adds an element adds its access;
 * an element of a type that has no entry fails synth (unsupportedElement) instead of failing a CI run with 403.
 *
 * Observed against Vault 1.21 with the provider 5.9 (audit log of a dev stack's whole lifecycle):
 * - an auth method is read through `sys/mounts/auth/<path>` (no sudo); enabling it writes `sys/auth/<path>`, which
 *   Vault guards with sudo: that path is returned apart (`sudo`) and rendered in its own policy;
 * - a PKI issuer created by the stack is read by its id (`<mount>/issuer/<id>/pem`), which is known only after
 *   apply: the entry uses a `+` segment (one path segment, any value), never a trailing glob;
 * - the provider reads its own token (`auth/token/lookup-self`) on every run (`PROVIDER_SELF`).
 */
import { Capability, PolicyRule } from '../core/policy-document';

const { CREATE, READ, UPDATE } = Capability;

/** The resolved config of one element: attribute values with references to literal attributes followed. */
export interface ElementConfig {
  /** A string attribute, or undefined when it is absent or only known at apply. */
  str(name: string): string | undefined;
  /** A boolean attribute (`undefined` when absent). */
  bool(name: string): boolean | undefined;
}

/** What one element needs: reads for a refresh and plan; writes (and reads) for an apply; paths Vault guards with sudo. */
export interface ElementAccess {
  /** What a refresh and plan of the element read. */
  readonly plan: readonly PolicyRule[];
  /** What an apply of the element needs (writes and reads), sudo aside. */
  readonly apply: readonly PolicyRule[];
  /** Paths whose apply needs `sudo` as well (rendered apart, see RunnerAccess). */
  readonly sudo?: readonly string[];
}

type Entry = (config: ElementConfig, need: (name: string) => string) => ElementAccess;

const read = (path: string): PolicyRule => ({ path, capabilities: [READ] });
const write = (path: string): PolicyRule => ({ path, capabilities: [CREATE, READ, UPDATE] });
const update = (path: string): PolicyRule => ({ path, capabilities: [UPDATE] });
const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');

/** What every run needs, whatever the stack holds: the provider looks its own token up. */
export const PROVIDER_SELF: readonly PolicyRule[] = [read('auth/token/lookup-self')];

const RESOURCES: Readonly<Record<string, Entry>> = {
  vault_mount: (_c, need) => {
    const m = `sys/mounts/${trim(need('path'))}`;
    return { plan: [read(m)], apply: [write(m), write(`${m}/tune`)] };
  },
  vault_auth_backend: (c, need) => {
    const path = trim(c.str('path') ?? need('type'));
    const mount = `sys/mounts/auth/${path}`;
    return {
      plan: [read(mount), read(`${mount}/tune`)],
      apply: [read(mount), write(`${mount}/tune`), write(`sys/auth/${path}`)],
      sudo: [`sys/auth/${path}`],
    };
  },
  vault_approle_auth_backend_role: (c, need) => {
    const role = `auth/${trim(need('backend'))}/role/${need('role_name')}`;
    // The role id is read back (it is not a secret); it is written only when the config sets one.
    const roleId = c.str('role_id') === undefined ? read(`${role}/role-id`) : write(`${role}/role-id`);
    return { plan: [read(role), read(`${role}/role-id`)], apply: [write(role), roleId] };
  },
  vault_policy: (_c, need) => {
    const p = `sys/policies/acl/${need('name')}`;
    return { plan: [read(p)], apply: [write(p)] };
  },
  vault_kv_secret_backend_v2: (_c, need) => {
    const p = `${trim(need('mount'))}/config`;
    return { plan: [read(p)], apply: [write(p)] };
  },
  vault_kv_secret_v2: (_c, need) => {
    const mount = trim(need('mount'));
    const name = trim(need('name'));
    const paths = [`${mount}/data/${name}`, `${mount}/metadata/${name}`];
    return { plan: paths.map(read), apply: paths.map(write) };
  },
  vault_generic_endpoint: (c, need) => {
    // An endpoint is written with POST (an action endpoint has no existence check: Vault calls it `update`).
    const p = trim(need('path'));
    const reads = c.bool('disable_read') === true ? [] : [read(p)];
    return { plan: reads, apply: [...reads, update(p)] };
  },
  vault_transit_secret_backend_key: (_c, need) => {
    const p = `${trim(need('backend'))}/keys/${need('name')}`;
    return { plan: [read(p)], apply: [write(p), update(`${p}/config`)] };
  },
  vault_pki_secret_backend_root_cert: (_c, need) => {
    // Issuers of the mount by id (known after apply) or name: public certificates and settings only. The whole
    // family is readable, so a root added by a CA rotation (and the check that reads it by name) needs no new path.
    const mount = trim(need('backend'));
    const issuers = [read(`${mount}/issuer/+`), read(`${mount}/issuer/+/pem`)];
    return { plan: issuers, apply: [...issuers, update(`${mount}/issuers/generate/root/${need('type')}`)] };
  },
  vault_pki_secret_backend_config_issuers: (_c, need) => {
    const p = `${trim(need('backend'))}/config/issuers`;
    return { plan: [read(p)], apply: [write(p)] };
  },
  vault_pki_secret_backend_intermediate_cert_request: (_c, need) => ({
    plan: [],
    apply: [update(`${trim(need('backend'))}/issuers/generate/intermediate/${need('type')}`)],
  }),
  vault_pki_secret_backend_root_sign_intermediate: (_c, need) => ({
    plan: [],
    apply: [update(`${trim(need('backend'))}/issuer/+/sign-intermediate`)],
  }),
  vault_pki_secret_backend_intermediate_set_signed: (_c, need) => ({
    plan: [],
    apply: [update(`${trim(need('backend'))}/intermediate/set-signed`)],
  }),
  vault_pki_secret_backend_role: (_c, need) => {
    const p = `${trim(need('backend'))}/roles/${need('name')}`;
    return { plan: [read(p)], apply: [write(p)] };
  },
  // No Vault call: the engine's own resource.
  terraform_data: () => ({ plan: [], apply: [] }),
};

const DATA_SOURCES: Readonly<Record<string, Entry>> = {
  vault_generic_secret: (_c, need) => {
    const p = trim(need('path'));
    return { plan: [read(p)], apply: [read(p)] };
  },
  vault_kv_secret_v2: (_c, need) => {
    const p = `${trim(need('mount'))}/data/${trim(need('name'))}`;
    return { plan: [read(p)], apply: [read(p)] };
  },
  vault_pki_secret_backend_issuer: (_c, need) => {
    // By name or id: the issuer's public certificate and settings (issuers hold no private key material).
    const p = `${trim(need('backend'))}/issuer/+`;
    return { plan: [read(p)], apply: [read(p)] };
  },
};

/** The entry for a resource (`resource`) or data source (`data`) type, or undefined when none is known. */
export function providerAccessEntry(kind: 'resource' | 'data', type: string): Entry | undefined {
  const table = kind === 'resource' ? RESOURCES : DATA_SOURCES;
  return Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
}

/** The types that have an entry, for documentation and tests. */
export function knownElementTypes(): { resources: string[]; dataSources: string[] } {
  return { resources: Object.keys(RESOURCES).sort(), dataSources: Object.keys(DATA_SOURCES).sort() };
}
