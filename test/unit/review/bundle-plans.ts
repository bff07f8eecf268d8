/**
 * Plans in the shape of `tofu show -json <planfile>` around the bootstrap bundle, built from the hand-written
 * fixtures (real certificates, the stack's real addresses). Bundles of format v1 are the fixtures'; format v2 adds
 * `bundle_keys` as lib/node/formats.ts declares it. The envelope is unknown in these plans (signed during apply)
 * and no `vault_transit_sign` data source is in them, as the stack signs at apply.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLE_KEYS_FORMAT_V1, BUNDLE_PAYLOAD_TYPE, BUNDLE_SCHEMA_V2 } from '../../../lib/node/formats';

const FIXTURES = path.resolve(__dirname, '../../fixtures/plans');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const load = (name: string): any => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));

export const BUNDLE_SECRET = 'vault_kv_secret_v2.BootstrapBundle_Secret_68A50327';

const caSwitchBefore = JSON.parse(load('hand-ca-switch.json').output_changes.bootstrap_bundle.before);
const corpAfter = JSON.parse(load('hand-destructive.json').output_changes.bootstrap_bundle.after);

/** Real test certificates from the fixtures (their keys were discarded). */
export const PEM = {
  /** CN=dev-control-plane-root */
  oldRoot: caSwitchBefore.public_https_trust.roots[0].pem as string,
  /** CN=dev-control-plane-root-2027 */
  newRoot: caSwitchBefore.public_https_trust.roots[1].pem as string,
  /** C=US, O=Example Corp, CN=Example Corp Public Root CA */
  corpRoot: corpAfter.public_https_trust.roots[0].pem as string,
  /** CN=nodes.dev.internal issuing CA */
  nodeIssuing: caSwitchBefore.node_cert_trust.pems[0] as string,
  /** CN=nodes.dev.internal root CA */
  nodeRoot: caSwitchBefore.node_cert_trust.pems[1] as string,
};
export const PIN = {
  oldRoot: 'sha256:1fb6049e3d444cf1ce902bc79e11c8e0b4f99b110c9b327054b7e74585404edb',
  newRoot: 'sha256:d34afccce451398bf191262ba1a3dead4b89c411505d908caa63443013a7e852',
  corpRoot: 'sha256:0dcd68dc6cfcf8a53a4d1c5b091e018685ddc9cf81e7085fa9cc948d82cd6674',
};

/** A key set entry: `kid` as lib/node/formats.ts defines it (first 16 hex of SHA-256 over the public_key text). */
export function entry(key: string, version: number, state: string, until?: string, seed = version) {
  const publicKey = Buffer.alloc(32, seed).toString('base64');
  const kid = `${key}:v${version}:${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;
  return { alg: 'ed25519', kid, public_key: publicKey, state, ...(until ? { until } : {}), version };
}

/** The dev bundle of format v1 at sequence 3: one current root, the node-cert chain, one task verifier. */
export function bundleV1(): any {
  return JSON.parse(load('hand-lowered-sequence.json').output_changes.bootstrap_bundle.before);
}

/** A bundle of format v2: v1 plus the bundle key set. */
export function bundleV2(keys = [entry('bundle-signer', 1, 'active')], base = bundleV1()): any {
  return {
    ...base,
    schema: BUNDLE_SCHEMA_V2,
    bundle_keys: { set: { format: BUNDLE_KEYS_FORMAT_V1, key: 'bundle-signer', keys } },
  };
}

/** Compact JSON with keys sorted at every level, as Terraform's jsonencode writes it. */
export function jsonencode(value: unknown): string {
  const sort = (v: any): any =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

const output = (before: unknown, after: unknown, afterUnknown: boolean) => {
  const actions = before === null ? ['create'] : after === null && !afterUnknown ? ['delete'] : ['update'];
  return {
    actions,
    before: before === null ? null : jsonencode(before),
    ...(afterUnknown ? {} : { after: after === null ? null : jsonencode(after) }),
    after_unknown: afterUnknown,
    before_sensitive: false,
    after_sensitive: false,
  };
};

export interface BundlePlanOptions {
  /** The old bundle; null when the output is created. */
  readonly before: any;
  /** The new bundle; 'unknown' when it is known only after apply; null when the output is removed. */
  readonly after: any;
  /** The bundle secret's inputs digest as published and as written (adds the secret to the plan). */
  readonly digest?: { readonly published: string; readonly written: string };
  /** More resource changes (in `tofu show -json` shape). */
  readonly resources?: readonly any[];
  /** Unchanged resources in the prior state. */
  readonly prior?: readonly any[];
}

const envelopeOf = (bundle: any) => ({
  payload: Buffer.from(jsonencode(bundle)).toString('base64'),
  payloadType: BUNDLE_PAYLOAD_TYPE,
  signatures: [{ keyid: bundle.task_verifiers.set.keys[0].kid, sig: 'c2lnbmF0dXJl' }],
});

/** A plan whose bundle output goes from `before` to `after`; the envelope is unknown (signed during apply). */
export function bundlePlan(o: BundlePlanOptions): any {
  const afterUnknown = o.after === 'unknown';
  const sequenceAfter = afterUnknown ? (o.before?.sequence ?? 0) + 1 : o.after?.sequence;
  const secret = o.digest && {
    address: BUNDLE_SECRET,
    mode: 'managed',
    type: 'vault_kv_secret_v2',
    name: 'BootstrapBundle_Secret_68A50327',
    provider_name: 'hashicorp/vault',
    change: {
      actions: ['update'],
      before: {
        mount: 'dev/secrets',
        name: 'bootstrap/bundle',
        custom_metadata: [{ data: { inputs_sha256: o.digest.published, sequence: String(o.before?.sequence) } }],
        metadata: {
          custom_metadata: JSON.stringify({ inputs_sha256: o.digest.published, sequence: String(o.before?.sequence) }),
        },
        data_json: 'withheld',
      },
      after: {
        mount: 'dev/secrets',
        name: 'bootstrap/bundle',
        custom_metadata: [{ data: { inputs_sha256: o.digest.written, sequence: String(sequenceAfter) } }],
        metadata: {
          custom_metadata: JSON.stringify({ inputs_sha256: o.digest.published, sequence: String(o.before?.sequence) }),
        },
      },
      after_unknown: { custom_metadata: [{ data: { payload_sha256: true } }], data_json: true },
      before_sensitive: { data_json: true },
      after_sensitive: { data_json: true },
    },
  };
  return {
    format_version: '1.2',
    terraform_version: '1.12.6',
    resource_changes: [...(secret ? [secret] : []), ...(o.resources ?? [])],
    output_changes: {
      bootstrap_bundle: output(o.before, afterUnknown ? undefined : o.after, afterUnknown),
      bootstrap_envelope: {
        actions: [o.before === null ? 'create' : o.after === null ? 'delete' : 'update'],
        before: o.before === null ? null : jsonencode(envelopeOf(o.before)),
        ...(o.after === null ? { after: null } : {}),
        after_unknown: o.after !== null,
        before_sensitive: false,
        after_sensitive: false,
      },
    },
    prior_state: { format_version: '1.0', values: { root_module: { resources: [...(o.prior ?? [])] } } },
    configuration: { root_module: { resources: [] } },
  };
}

/** A managed resource change in `tofu show -json` shape. */
export function change(address: string, actions: string[], before: any, after: any, afterUnknown: object = {}) {
  const [type, name] = address.split('.');
  return {
    address,
    mode: 'managed',
    type,
    name,
    provider_name: 'hashicorp/vault',
    change: { actions, before, after, after_unknown: afterUnknown, before_sensitive: {}, after_sensitive: {} },
  };
}
