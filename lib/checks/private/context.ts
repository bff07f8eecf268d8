/**
 * Builds the stack facts (`StackContext`) that element rules read, from every element of a stack. Pure.
 */
import { bundleKeyRefs, signWriteOf, taskKeyRefs } from './bundle-signing';
import { policySourceOf } from './policy-source';
import { literalMount } from './transit';
import { DEFAULT_TRANSIT_KEY_TYPE } from './transit';
import {
  AddressedStanza,
  CheckedElement,
  KnownMount,
  KnownTransitKey,
  SignWrite,
  StackContext,
  TransitSigner,
} from '../types';
import { isExpression, readObject, readString, trimSlashes } from './values';

/** The facts about a stack that element rules need, from all its elements. */
export function buildStackContext(elements: readonly CheckedElement[]): StackContext {
  const mounts = knownMounts(elements);
  const policyStanzas: AddressedStanza[] = [];
  const transitKeys: KnownTransitKey[] = [];
  const transitSigners: TransitSigner[] = [];
  const pkiRootBackends = new Set<string>();
  const signedInputs: string[] = [];
  const signWrites: SignWrite[] = [];

  for (const e of elements) {
    const source = policySourceOf(e, mounts);
    if (source.kind === 'stanzas') {
      for (const stanza of source.stanzas) policyStanzas.push({ address: e.address, stanza });
    }
    if (e.kind === 'resource' && e.type === 'vault_transit_secret_backend_key') {
      const name = readString(e.config.name);
      const type = readString(e.config.type);
      transitKeys.push({
        address: e.address,
        mount: literalMount(e.config.backend, mounts),
        name: typeof name === 'string' ? name : undefined,
        keyType: type === undefined ? DEFAULT_TRANSIT_KEY_TYPE : typeof type === 'string' ? type : undefined,
      });
    }
    if (e.kind === 'data' && e.type === 'vault_transit_sign') {
      signedInputs.push(JSON.stringify([e.config.input ?? null, e.config.batch_input ?? null]));
    }
    if (e.kind === 'data' && (e.type === 'vault_transit_sign' || e.type === 'vault_transit_verify')) {
      const mount = literalMount(e.config.path, mounts);
      const key = readString(e.config.name);
      if (mount !== undefined && typeof key === 'string') transitSigners.push({ address: e.address, mount, key });
    }
    const write = signWriteOf(e, mounts);
    if (write) {
      signWrites.push(write);
      signedInputs.push(write.request);
      transitSigners.push({ address: e.address, mount: write.mount, key: write.key });
    }
    if (e.kind === 'resource' && e.type === 'vault_pki_secret_backend_root_cert') {
      const backend = e.config.backend;
      if (typeof backend === 'string') {
        const ref = /^\$\{(vault_mount\.[A-Za-z0-9_-]+)\.path\}$/.exec(backend);
        if (ref) pkiRootBackends.add(ref[1]);
        const literal = literalMount(backend, mounts);
        if (literal !== undefined) pkiRootBackends.add(literal);
      }
    }
  }
  const bundleSignatures = signWrites.filter((w) => w.bundlePayloadType !== undefined);
  const taskKeys = taskKeyRefs(elements);
  return {
    mounts,
    policyStanzas,
    transitKeys,
    transitSigners,
    pkiRootBackends: [...pkiRootBackends],
    signedInputs,
    signWrites,
    bundleSignatures,
    taskKeys,
    bundleKeys: bundleKeyRefs(elements, bundleSignatures, taskKeys),
  };
}

/** Mounts with a literal path: `vault_mount` (KV versions resolved) and auth mounts (`auth/<path>`). */
function knownMounts(elements: readonly CheckedElement[]): KnownMount[] {
  const out: KnownMount[] = [];
  for (const e of elements) {
    if (e.kind !== 'resource') continue;
    const path = e.config.path;
    if (typeof path !== 'string' || isExpression(path)) continue;
    if (e.type === 'vault_mount') {
      const type = String(e.config.type ?? '');
      const version = readObject(e.config.options)?.version;
      if (type === 'kv-v2') out.push({ address: e.address, path: trimSlashes(path), type: 'kv', kvVersion: 2 });
      else if (type === 'kv' || type === 'generic') {
        out.push({
          address: e.address,
          path: trimSlashes(path),
          type: 'kv',
          kvVersion: String(version) === '2' ? 2 : 1,
        });
      } else out.push({ address: e.address, path: trimSlashes(path), type });
    } else if (e.type === 'vault_auth_backend') {
      out.push({
        address: e.address,
        path: `auth/${trimSlashes(path)}`,
        type: `${String(e.config.type ?? 'unknown')} auth`,
        attributePath: trimSlashes(path),
      });
    }
  }
  // A vault_kv_secret_backend_v2 turns its mount into KV v2.
  for (const e of elements) {
    if (e.kind !== 'resource' || e.type !== 'vault_kv_secret_backend_v2') continue;
    const mount = literalMount(e.config.mount, out);
    if (mount === undefined) continue;
    const i = out.findIndex((m) => m.path === mount);
    if (i >= 0) out[i] = { ...out[i], type: 'kv', kvVersion: 2 };
  }
  return out;
}
