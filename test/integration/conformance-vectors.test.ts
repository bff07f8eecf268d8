/**
 * Generates the conformance vectors (conformance/vectors/*.json) from real applies: the dev stack's PlatformTrustStack
 * is applied against the real server (first bundle, task key pre-publish, activation with a grace window, revocation
 * of the old version), the control plane signs tasks through Vault with its AppRole, and every signature in a vector
 * is made by Vault's transit engine (the stack during apply, the control plane, or the root token standing in for
 * whoever holds a key: a bundle forged with the task key, a task signed with the bundle key, updates signed with the
 * bundle key that test one rule each). Invalid variants are derived from those values.
 *
 * Each vector states its expected verdict here, from the rule it exercises, and our node side must return it. With
 * PLATFORM_TRUST_WRITE_VECTORS=1 the vectors are written (commit them); otherwise the committed files must hold exactly
 * the regenerated ids, each with the same kind and expected verdict (keys are new on every run, so the bytes differ).
 * Every time in a vector is its own `now`, relative to the vector's dates: committed vectors do not age.
 */
import { App } from 'cdktf';
import { Point } from '@noble/ed25519';
import { EnvironmentConfig, PlatformTrustStack } from '../../lib';
import {
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BootstrapBundleV2,
  SMALL_ORDER_ENCODINGS,
  acceptBundleUpdate,
  acceptFirstBundle,
  bundleKeyPin,
  computeKid,
  jsonencodeCanonical,
  pae,
  spkiPin,
} from '../../lib/node';
import { GROUP_ORDER_L, littleEndian32, bigIntFromLittleEndian, preparePublicKey } from '../../lib/node/ed25519-rules';
import {
  FILE_OF_KIND,
  Vector,
  VectorKind,
  Verdict,
  readVectorFiles,
  runVector,
  writeVectorFiles,
} from '../unit/conformance/vectors';
import { VaultClient, VaultServer } from './vault-server';
import { TEST_FRESHNESS, Workspace, dayFromToday, rolloutWait } from './workspace';

const NAME = 'cv';
const GRACE_UNTIL = dayFromToday(10);
const EXPIRES = TEST_FRESHNESS.expires;
/** The vectors' usual time: a day and a half after the start of the run's day, inside every window. */
const NOW = iso(Date.parse(dayFromToday(1)) + 12 * 3600_000);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
function before(isoTime: string): string {
  return iso(Date.parse(isoTime) - 1);
}
function after(isoTime: string, seconds = 1): string {
  return iso(Date.parse(isoTime) + seconds * 1000);
}
function clone<T>(v: T): any {
  return JSON.parse(JSON.stringify(v));
}
function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64');
}

function environment(sequence: number, changes: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: NAME,
    controlPlaneUrl: `https://control.${NAME}.localhost`,
    taskSigning: { version: 1 },
    nodeDomain: `nodes.${NAME}.internal`,
    ...changes,
    bundle: { freshness: TEST_FRESHNESS, sequence },
  };
}

/** A raw signature with one bit flipped in S (still canonical base64, still 64 bytes). */
function flipBit(sigB64: string): string {
  const raw = Buffer.from(sigB64, 'base64');
  raw[40] ^= 0x01;
  return b64(raw);
}
/** S + L: the same signature with a non-canonical S (malleability), still 64 bytes. */
function sPlusL(sigB64: string): string {
  const raw = Buffer.from(sigB64, 'base64');
  const s = bigIntFromLittleEndian(raw.subarray(32)) + GROUP_ORDER_L;
  return b64(Buffer.concat([raw.subarray(0, 32), Buffer.from(littleEndian32(s))]));
}
/** R replaced by the identity point's encoding (a small-order R). */
function identityR(sigB64: string): string {
  const raw = Buffer.from(sigB64, 'base64');
  return b64(Buffer.concat([Buffer.from(SMALL_ORDER_ENCODINGS[0]), raw.subarray(32)]));
}
/** The same 64 bytes, with non-zero bits after the last byte (non-canonical base64). */
function nonCanonicalB64(sigB64: string): string {
  const i = sigB64.length - 3; // the last data character before "=="
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const c = alphabet.indexOf(sigB64[i]);
  return `${sigB64.slice(0, i)}${alphabet[(c & ~0xf) | ((c + 1) & 0xf) || 1]}${sigB64.slice(i + 1)}`;
}
function changeLastHex(kid: string): string {
  const last = kid[kid.length - 1];
  return `${kid.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}

describe('conformance vectors from real applies (real engine, real server)', () => {
  let bao: VaultServer;
  let ws: Workspace;
  let cp: VaultClient;
  let outputs: Record<string, any>;
  const envelopes = new Map<number, any>();
  const bundles = new Map<number, BootstrapBundleV2>();

  async function publish(config: EnvironmentConfig): Promise<void> {
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: config }));
    await ws.apply();
    outputs = await ws.outputs();
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    expect(res.status).toBe(200);
    const envelope = res.body.data.data.envelope;
    envelopes.set(config.bundle.sequence, typeof envelope === 'string' ? JSON.parse(envelope) : envelope);
  }

  /** Signs bytes with a transit key version; returns the raw signature (standard base64). */
  async function transitSign(client: VaultClient, key: string, version: number, bytes: Uint8Array): Promise<string> {
    const res = await client.write(`${NAME}/transit/sign/${key}`, { input: b64(bytes), key_version: String(version) });
    expect(res.status).toBe(200);
    return (res.body.data.signature as string).split(':')[2];
  }

  beforeAll(async () => {
    bao = await VaultServer.start();
    ws = Workspace.create('pt-cv-');
    ws.env = bao.env;
    ws.synth((app: App) => new PlatformTrustStack(app, { environment: environment(1) }));
    await ws.apply();
    outputs = await ws.outputs();
    cp = await bao.root.loginControlPlane(outputs, `${NAME}-control-plane`);
    const res = await cp.read(outputs.bootstrap_bundle_kv_path);
    envelopes.set(1, res.body.data.data.envelope);
  });

  afterAll(async () => {
    ws?.dispose();
    await bao?.stop();
  });

  test('the vectors regenerate from real applies with the verdicts our node side returns, and match the committed files', async () => {
    const pin = outputs.bundle_key_pin as string;
    const first = acceptFirstBundle(envelopes.get(1)!, pin, new Date(NOW));
    if (!first.ok) throw new Error(`${first.reason}: ${first.detail}`);
    bundles.set(1, first.bundle);
    const b1 = first.bundle;
    const bundleKeyV1 = b1.bundle_keys.set.keys[0];
    const taskKeyV1 = b1.task_verifiers.set.keys[0];

    // The control plane signs a task with version 1, and (it holds the task sign grant) a bundle with the task key.
    const task1 = Buffer.from('drain gpu-0001 (v1)');
    const sig1 = `vault:v1:${await transitSign(cp, 'node-task-signer', 1, task1)}`;
    const forgedByTaskKey = clone(b1);
    forgedByTaskKey.sequence = 2;
    forgedByTaskKey.control_plane.url = `https://attacker.${NAME}.localhost`;
    const forgedPayload = Buffer.from(jsonencodeCanonical(forgedByTaskKey));
    const taskKeyEnvelope = {
      payload: b64(forgedPayload),
      payloadType: BUNDLE_PAYLOAD_TYPE_V2,
      signatures: [
        {
          keyid: taskKeyV1.kid,
          sig: await transitSign(cp, 'node-task-signer', 1, pae(BUNDLE_PAYLOAD_TYPE_V2, forgedPayload)),
        },
      ],
    };
    const v1Bundle = clone(b1);
    delete v1Bundle.bundle_keys;
    delete v1Bundle.freshness;
    delete v1Bundle.revoked;
    v1Bundle.schema = BUNDLE_SCHEMA_V1;
    v1Bundle.sequence = 2;
    const v1Payload = Buffer.from(JSON.stringify(v1Bundle));
    const v1Envelope = {
      payload: b64(v1Payload),
      payloadType: BUNDLE_PAYLOAD_TYPE,
      signatures: [
        {
          keyid: taskKeyV1.kid,
          sig: `vault:v1:${await transitSign(cp, 'node-task-signer', 1, pae(BUNDLE_PAYLOAD_TYPE, v1Payload))}`,
        },
      ],
    };
    // Whoever holds the bundle key (the root token stands in) signs a task with it.
    const bundleKeyTask = `vault:v1:${await transitSign(bao.root, 'bundle-signer', 1, task1)}`;

    // Pre-publish task key version 2, wait out the rollout window, activate it with version 1 in grace, then revoke 1.
    await publish(environment(2, { taskSigning: { version: 2, activeVersion: 1 } }));
    await rolloutWait();
    await publish(environment(3, { taskSigning: { version: 2, grace: [{ version: 1, until: GRACE_UNTIL }] } }));
    const task2 = Buffer.from('drain gpu-0002 (v2)');
    const sig2 = `vault:v2:${await transitSign(cp, 'node-task-signer', 2, task2)}`;
    await publish(
      environment(4, { taskSigning: { version: 2, grace: [{ version: 1, until: GRACE_UNTIL }], compromised: [1] } }),
    );
    for (const seq of [2, 3, 4]) {
      const taken = acceptBundleUpdate({ bundle: bundles.get(seq - 1)! }, envelopes.get(seq)!, new Date(NOW));
      if (!taken.ok) throw new Error(`update to ${seq}: ${taken.reason}: ${taken.detail}`);
      bundles.set(seq, taken.bundle as BootstrapBundleV2);
    }
    const [, b2, b3, b4] = [0, 2, 3, 4].map((s) => bundles.get(s)!) as BootstrapBundleV2[];
    expect(b3.task_verifiers.set.keys.map((k) => `${k.version}:${k.state}`)).toEqual(['1:grace', '2:active']);
    expect(b4.revoked.task_key_versions).toEqual([1]);

    /** A bundle signed by a bundle key version through Vault (root token: whoever holds that key). */
    async function signedBundle(payloadText: string, version = 1, kid = bundleKeyV1.kid) {
      const payload = Buffer.from(payloadText);
      return {
        payload: b64(payload),
        payloadType: BUNDLE_PAYLOAD_TYPE_V2,
        signatures: [
          {
            keyid: kid,
            sig: await transitSign(bao.root, 'bundle-signer', version, pae(BUNDLE_PAYLOAD_TYPE_V2, payload)),
          },
        ],
      };
    }
    const signed = (bundle: unknown, version = 1, kid = bundleKeyV1.kid) =>
      signedBundle(jsonencodeCanonical(bundle), version, kid);

    // Another real root (its own PKI mount), for the root protection rules.
    expect((await bao.root.write('sys/mounts/cv-extra-root', { type: 'pki' })).status).toBeLessThan(300);
    const extra = await bao.root.write('cv-extra-root/root/generate/internal', { common_name: 'cv extra root' });
    expect(extra.status).toBe(200);
    const extraRootPem: string = `${(extra.body.data.certificate as string).trim()}\n`;
    const oldRootPem = b4.public_https_trust.roots[0].pem;
    const oldRootPin = spkiPin(oldRootPem);

    // Updates that exercise one rule each, signed by the bundle key the node holds.
    const lifted = clone(b3);
    lifted.sequence = 5;
    const liftedEnvelope = await signed(lifted);
    const otherEnv = clone(b2);
    otherEnv.environment = 'other';
    otherEnv.sequence = 5;
    const otherEnvEnvelope = await signed(otherEnv);
    const laterExpiry = clone(b2);
    laterExpiry.sequence = 5;
    laterExpiry.freshness.expires = after(EXPIRES, 10 * 86400);
    const laterExpiryEnvelope = await signed(laterExpiry);
    const rootSwapped = clone(b4);
    rootSwapped.sequence = 5;
    rootSwapped.public_https_trust.roots = [{ pem: extraRootPem, state: 'current' }];
    const rootSwappedEnvelope = await signed(rootSwapped);
    const rootRevoked = clone(rootSwapped);
    rootRevoked.revoked.root_pins = [oldRootPin];
    const rootRevokedEnvelope = await signed(rootRevoked);
    const notJsonEnvelope = await signedBundle('not a bundle');
    const invalidSigned = clone(b1);
    invalidSigned.sequence = 0;
    const invalidEnvelope = await signed(invalidSigned);
    const v1SchemaEnvelope = await signedBundle(JSON.stringify(v1Bundle));
    const secretBundle = clone(b1);
    secretBundle.control_plane.url = `https://control.${NAME}.localhost/hvs.${'A1b2C3d4E5'.repeat(3)}`;
    const secretEnvelope = await signed(secretBundle);

    // A bundle key version no bundle ever listed: rotated by whoever holds the key, after the last apply.
    expect((await bao.root.write(`${NAME}/transit/keys/bundle-signer/rotate`)).status).toBeLessThan(300);
    const keyInfo = await bao.root.read(`${NAME}/transit/keys/bundle-signer`);
    const bundleKeyV2Public: string = keyInfo.body.data.keys['2'].public_key;
    const bundleKeyV2Kid = computeKid('bundle-signer', 2, bundleKeyV2Public);
    const unknownKeyUpdate = clone(b4);
    unknownKeyUpdate.sequence = 5;
    const unknownKeyEnvelope = await signed(unknownKeyUpdate, 2, bundleKeyV2Kid);
    /** A held bundle whose bundle keys are version 2 active and version 1 in grace (or revoked). */
    const heldWithKeys = (v1: 'grace' | 'revoked') => {
      const h = clone(b4);
      const v2Entry = {
        alg: 'ed25519',
        kid: bundleKeyV2Kid,
        public_key: bundleKeyV2Public,
        state: 'active',
        version: 2,
      };
      h.bundle_keys.set.keys =
        v1 === 'grace' ? [{ ...clone(bundleKeyV1), state: 'grace', until: GRACE_UNTIL }, v2Entry] : [v2Entry];
      if (v1 === 'revoked') h.revoked.bundle_key_versions = [1];
      return h;
    };
    const heldPreviousRoot = clone(b4);
    heldPreviousRoot.public_https_trust.roots = [
      { pem: extraRootPem, state: 'current' },
      { pem: oldRootPem, state: 'previous', until: GRACE_UNTIL },
    ];
    const dropsPrevious = clone(heldPreviousRoot);
    dropsPrevious.sequence = 5;
    dropsPrevious.public_https_trust.roots = [{ pem: extraRootPem, state: 'current' }];
    const dropsPreviousEnvelope = await signed(dropsPrevious);

    // ------------------------------------------------------------------------------------------ the vectors
    const vectors: Vector[] = [];
    const add = (id: string, kind: VectorKind, description: string, input: Record<string, any>, expected: Verdict) =>
      vectors.push({ id, description, kind, input: clone(input), expected });
    const ok: Verdict = { ok: true };
    const no = (reason: string): Verdict => ({ ok: false, reason });
    const e1 = envelopes.get(1)!;
    const [e2, e3, e4] = [2, 3, 4].map((s) => envelopes.get(s)!);
    const taskSetText = (b: BootstrapBundleV2) => jsonencodeCanonical(b.task_verifiers.set);
    const bundleKeysText = jsonencodeCanonical(b1.bundle_keys.set);
    const withSig = (env: any, sig: string, keyid = env.signatures[0].keyid) => ({
      ...env,
      signatures: [{ keyid, sig }],
    });
    const sigOf = (env: any): string => env.signatures[0].sig;

    // Key sets (text).
    const ks = (id: string, kind: 'verifier-set' | 'bundle-key-set', d: string, text: string, expected: Verdict) =>
      add(`${kind}/${id}`, kind, d, { text }, expected);
    [b1, b2, b3, b4].forEach((b) =>
      ks(
        `valid-sequence-${b.sequence}`,
        'verifier-set',
        `The task verifier set of bundle ${b.sequence} as published (${b.task_verifiers.set.keys.map((k) => `v${k.version} ${k.state}`).join(', ')}).`,
        taskSetText(b),
        ok,
      ),
    );
    ks('valid', 'bundle-key-set', 'The bundle key set as published (v1 active).', bundleKeysText, ok);
    ks(
      'task-set-as-bundle-keys',
      'bundle-key-set',
      'A task verifier set where a bundle key set is expected.',
      taskSetText(b1),
      no('NT014'),
    );
    ks(
      'bundle-keys-as-task-set',
      'verifier-set',
      'A bundle key set where a task verifier set is expected.',
      bundleKeysText,
      no('NT014'),
    );
    const set3 = () => clone(b3.task_verifiers.set);
    const render = (s: any) => jsonencodeCanonical(s);
    const mutate = (id: string, d: string, change: (s: any) => void, reason: string) => {
      const s = set3();
      change(s);
      ks(id, 'verifier-set', d, render(s), no(reason));
    };
    ks(
      'whitespace',
      'verifier-set',
      'A valid set with whitespace: not its canonical text.',
      JSON.stringify(set3(), null, 1),
      no('NT007'),
    );
    ks(
      'field-order',
      'verifier-set',
      'A valid set with its fields in another order: not its canonical text.',
      JSON.stringify({ keys: set3().keys, key: set3().key, format: set3().format }),
      no('NT007'),
    );
    ks('not-json', 'verifier-set', 'Not JSON.', '{"format":', no('NT001'));
    mutate(
      'kid-mismatch',
      'A kid whose digest part does not match the public key.',
      (s) => (s.keys[1].kid = changeLastHex(s.keys[1].kid)),
      'NT004',
    );
    mutate('unknown-field', 'An unknown top-level field.', (s) => (s.comment = 'x'), 'NT002');
    mutate('alg', 'An algorithm other than ed25519.', (s) => (s.keys[1].alg = 'rsa'), 'NT002');
    mutate('empty', 'No entries.', (s) => (s.keys = []), 'NT002');
    mutate(
      'two-active',
      'Two active entries.',
      (s) => {
        s.keys[0].state = 'active';
        delete s.keys[0].until;
      },
      'NT003',
    );
    mutate('unsorted', 'Entries not sorted by version.', (s) => s.keys.reverse(), 'NT003');
    mutate(
      'next-below-active',
      'A next entry older than the active one.',
      (s) => {
        s.keys[0].state = 'next';
        delete s.keys[0].until;
      },
      'NT003',
    );
    mutate('version-zero', 'Version 0.', (s) => (s.keys[0].version = 0), 'NT003');
    mutate('grace-without-until', 'A grace entry without until.', (s) => delete s.keys[0].until, 'NT006');
    mutate('until-on-active', 'An active entry with until.', (s) => (s.keys[1].until = GRACE_UNTIL), 'NT002');
    mutate(
      'impossible-date',
      'A grace end on a day that does not exist.',
      (s) => (s.keys[0].until = '2030-02-30T00:00:00Z'),
      'NT006',
    );
    mutate('state', 'An unknown state.', (s) => (s.keys[1].state = 'retired'), 'NT002');
    const withKey = (publicKey: string) => (s: any) => {
      s.keys[1].public_key = publicKey;
      s.keys[1].kid = computeKid(s.key, s.keys[1].version, publicKey);
    };
    const pk2 = set3().keys[1].public_key as string;
    mutate(
      'key-base64',
      'A public key in non-canonical base64 (non-zero trailing bits).',
      withKey(`${pk2.slice(0, 42)}B=`),
      'NT005',
    );
    mutate(
      'key-small-order',
      'A small-order public key (the identity point): it would accept forgeries.',
      withKey(b64(SMALL_ORDER_ENCODINGS[0])),
      'NT005',
    );
    let offCurve = '';
    for (let k = 2; !offCurve; k++) {
      const raw = new Uint8Array(32);
      raw[0] = k;
      const verdict = preparePublicKey(raw);
      if (!verdict.ok && verdict.reason === 'public-key-encoding') offCurve = b64(raw);
    }
    mutate('key-off-curve', 'A public key that is not a curve point.', withKey(offCurve), 'NT005');
    const honest = Point.fromBytes(Buffer.from(pk2, 'base64'));
    const mixed = b64(honest.add(Point.fromBytes(SMALL_ORDER_ENCODINGS[4])).toBytes());
    expect(preparePublicKey(Buffer.from(mixed, 'base64'))).toMatchObject({
      ok: false,
      reason: 'public-key-mixed-order',
    });
    mutate(
      'key-mixed-order',
      'A public key with a small-order component (outside the prime-order subgroup).',
      withKey(mixed),
      'NT005',
    );
    mutate(
      'key-non-canonical-y',
      'A public key encoding y >= p (non-canonical).',
      withKey(b64(Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'))),
      'NT005',
    );

    // Bundles (JSON values).
    const bv = (id: string, d: string, bundle: unknown, expected: Verdict) =>
      add(`bundle/${id}`, 'bundle', d, { bundle }, expected);
    [b1, b2, b3, b4].forEach((b) => bv(`valid-sequence-${b.sequence}`, `Bundle ${b.sequence} as published.`, b, ok));
    const bm = (id: string, d: string, change: (b: any) => void, reason: string) => {
      const b = clone(b3);
      change(b);
      bv(id, d, b, no(reason));
    };
    bm('unknown-field', 'An unknown top-level field.', (b) => (b.note = 'x'), 'NT002');
    bm('missing-freshness', 'No freshness.', (b) => delete b.freshness, 'NT002');
    bm('schema', 'An unknown schema id.', (b) => (b.schema = 'cdktf-platform-trust/bootstrap-bundle/v3'), 'NT002');
    bm('environment', 'An environment name with upper-case letters.', (b) => (b.environment = 'CV'), 'NT002');
    bm('sequence-zero', 'Sequence 0.', (b) => (b.sequence = 0), 'NT002');
    bm('sequence-fraction', 'A sequence that is not whole.', (b) => (b.sequence = 1.5), 'NT002');
    bm(
      'http-url',
      'A control-plane URL that is not https.',
      (b) => (b.control_plane.url = `http://control.${NAME}.localhost`),
      'NT002',
    );
    bm(
      'url-credentials',
      'A control-plane URL with credentials.',
      (b) => (b.control_plane.url = `https://node:pw@control.${NAME}.localhost`),
      'NT011',
    );
    bm(
      'vault-token',
      'A Vault token in a value.',
      (b) => (b.control_plane.url = secretBundle.control_plane.url),
      'NT011',
    );
    bm(
      'vault-address',
      'A Vault API address in a value.',
      (b) => (b.control_plane.url = `https://vault.${NAME}.localhost:8200/v1/`),
      'NT011',
    );
    bm('credential-field', 'A credential field (secret_id).', (b) => (b.secret_id = 'x'), 'NT011');
    bm(
      'relative-path',
      'A relative file path.',
      (b) => {
        b.node_cert_trust.path = 'etc/gpuaas/trust/node-cert-ca.pem';
        b.env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH = b.node_cert_trust.path;
      },
      'NT009',
    );
    bm(
      'same-path',
      'Two of the three files at the same path.',
      (b) => {
        b.node_cert_trust.path = b.public_https_trust.path;
        b.env.GPUAAS_NODE_CERT_CA_BUNDLE_PATH = b.node_cert_trust.path;
      },
      'NT009',
    );
    bm(
      'env-path',
      'env disagrees with a path field.',
      (b) => (b.env.GPUAAS_CA_BUNDLE_PATH = '/etc/gpuaas/trust/other.pem'),
      'NT012',
    );
    bm(
      'env-verifiers',
      'GPUAAS_TASK_SIGNING_PUBKEYS is not the canonical text of the task verifier set.',
      (b) => (b.env.GPUAAS_TASK_SIGNING_PUBKEYS = JSON.stringify(b.task_verifiers.set, null, 1)),
      'NT012',
    );
    bm(
      'mixed-trust',
      'A public HTTPS root also in the node-cert CA bundle.',
      (b) => b.node_cert_trust.pems.push(b.public_https_trust.roots[0].pem),
      'NT010',
    );
    bm(
      'two-current-roots',
      'Two current roots.',
      (b) => b.public_https_trust.roots.push({ pem: extraRootPem, state: 'current' }),
      'NT002',
    );
    bm(
      'previous-root-without-until',
      'A previous root without an overlap end.',
      (b) => b.public_https_trust.roots.push({ pem: extraRootPem, state: 'previous' }),
      'NT006',
    );
    bm(
      'certificate-garbled',
      'A root PEM whose body is not a certificate.',
      (b) => {
        const lines = b.public_https_trust.roots[0].pem.split('\n');
        lines[1] = 'A'.repeat(lines[1].length);
        b.public_https_trust.roots[0].pem = lines.join('\n');
      },
      'NT008',
    );
    bm(
      'root-not-self-signed',
      'A control-plane root that is not self-signed (the node-cert issuing CA, an intermediate).',
      (b) => (b.public_https_trust.roots[0].pem = b.node_cert_trust.pems[0]),
      'NT008',
    );
    bm(
      'task-kid',
      'A task verifier kid that does not match its key.',
      (b) => (b.task_verifiers.set.keys[1].kid = changeLastHex(b.task_verifiers.set.keys[1].kid)),
      'NT004',
    );
    bm(
      'bundle-keys-kind',
      'A task verifier set in bundle_keys.',
      (b) => (b.bundle_keys.set = clone(b.task_verifiers.set)),
      'NT014',
    );
    bm(
      'bundle-key-name-reuse',
      'The bundle key set names the task key.',
      (b) => {
        const s = b.bundle_keys.set;
        s.key = b.task_verifiers.set.key;
        s.keys.forEach((k: any) => (k.kid = computeKid(s.key, k.version, k.public_key)));
      },
      'NT015',
    );
    bm(
      'bundle-key-material-reuse',
      'A bundle key with the public key of a task verifier.',
      (b) => {
        const k = b.bundle_keys.set.keys[0];
        k.public_key = b.task_verifiers.set.keys[1].public_key;
        k.kid = computeKid(b.bundle_keys.set.key, k.version, k.public_key);
      },
      'NT015',
    );
    bm(
      'revoked-still-listed',
      'A revoked task key version still in the task verifier set.',
      (b) => (b.revoked.task_key_versions = [1]),
      'NT002',
    );
    bm('revoked-unsorted', 'Revoked versions not ascending.', (b) => (b.revoked.task_key_versions = [4, 3]), 'NT003');
    bm(
      'revoked-pin-case',
      'A revoked root pin in upper-case hex.',
      (b) => (b.revoked.root_pins = [`sha256:${'AB'.repeat(32)}`]),
      'NT002',
    );
    bm(
      'revoked-root-listed',
      'A revoked root pin that is the pin of a root in the bundle.',
      (b) => (b.revoked.root_pins = [oldRootPin]),
      'NT002',
    );
    bm(
      'expires-date',
      'An expiry that is not ISO 8601 UTC.',
      (b) => (b.freshness.expires = '2030-01-01T00:00:00+01:00'),
      'NT006',
    );
    bm('refresh-hint-zero', 'A refresh hint of 0 seconds.', (b) => (b.freshness.refresh_hint_seconds = 0), 'NT002');
    bm(
      'refresh-hint-long',
      'A refresh hint above one week.',
      (b) => (b.freshness.refresh_hint_seconds = 604801),
      'NT002',
    );

    // Envelopes under the bundle key set a node trusts.
    const trusted = clone(b1.bundle_keys.set);
    const ve = (id: string, d: string, envelope: unknown, expected: Verdict, now = NOW, t: unknown = trusted) =>
      add(`verify-bundle/${id}`, 'verify-bundle', d, { envelope, trusted: t, now }, expected);
    [e1, e2, e3, e4].forEach((e, i) =>
      ve(`valid-sequence-${i + 1}`, `Envelope ${i + 1} as published, signed during apply by bundle key v1.`, e, ok),
    );
    ve('just-before-expiry', 'One millisecond before the bundle expires.', e1, ok, before(EXPIRES));
    ve('expired', 'At the expiry (the end is exclusive).', e1, no('expired'), EXPIRES);
    ve(
      'tampered-payload',
      'The payload changed (sequence 99), the signature kept.',
      { ...e1, payload: b64(jsonencodeCanonical({ ...clone(b1), sequence: 99 })) },
      no('bad-signature'),
    );
    ve(
      'wrong-keyid',
      'A keyid that is no kid of the trusted set.',
      withSig(e1, sigOf(e1), changeLastHex(bundleKeyV1.kid)),
      no('unknown-key'),
    );
    ve(
      'keyid-of-task-key',
      "The bundle key's signature under the task key's kid.",
      withSig(e1, sigOf(e1), taskKeyV1.kid),
      no('unknown-key'),
    );
    ve(
      'signed-by-task-key',
      'A bundle signed with the task key (by the control plane), under its own kid.',
      taskKeyEnvelope,
      no('unknown-key'),
    );
    ve(
      'vault-prefix',
      "The signature in Vault's vault:v1: form, not raw base64.",
      withSig(e1, `vault:v1:${sigOf(e1)}`),
      no('malformed-signature'),
    );
    ve(
      'truncated-signature',
      'A signature cut to 60 bytes.',
      withSig(e1, b64(Buffer.from(sigOf(e1), 'base64').subarray(0, 60))),
      no('malformed-signature'),
    );
    ve(
      'signature-extra-bytes',
      'A signature with a 65th byte.',
      withSig(e1, b64(Buffer.concat([Buffer.from(sigOf(e1), 'base64'), Buffer.from([0])]))),
      no('malformed-signature'),
    );
    ve(
      'signature-non-canonical-base64',
      'A signature in non-canonical base64 (non-zero trailing bits).',
      withSig(e1, nonCanonicalB64(sigOf(e1))),
      no('malformed-signature'),
    );
    ve('signature-bit-flip', 'One bit of S flipped.', withSig(e1, flipBit(sigOf(e1))), no('bad-signature'));
    ve(
      'signature-s-plus-l',
      'S replaced by S + L (non-canonical S, malleability).',
      withSig(e1, sPlusL(sigOf(e1))),
      no('bad-signature'),
    );
    ve(
      'signature-small-order-r',
      'R replaced by the identity point.',
      withSig(e1, identityR(sigOf(e1))),
      no('bad-signature'),
    );
    ve('payload-type', 'Another payload type.', { ...e1, payloadType: 'application/json' }, no('wrong-payload-type'));
    ve('extra-field', 'An envelope with an unknown field.', { ...e1, note: 'x' }, no('malformed-envelope'));
    ve('no-signatures', 'An envelope without signatures.', { ...e1, signatures: [] }, no('malformed-envelope'));
    ve(
      'signature-extra-field',
      'A signature object with an unknown field.',
      { ...e1, signatures: [{ ...e1.signatures[0], alg: 'ed25519' }] },
      no('malformed-envelope'),
    );
    ve(
      'payload-base64',
      'A payload with a line break inside its base64.',
      { ...e1, payload: `${e1.payload.slice(0, 76)}\n${e1.payload.slice(76)}` },
      no('malformed-envelope'),
    );
    ve(
      'trusted-task-set',
      'A task verifier set given as the trusted set.',
      e1,
      no('wrong-key-kind'),
      NOW,
      clone(b1.task_verifiers.set),
    );
    ve('trusted-invalid', 'A trusted set that does not validate (kid tampered).', e1, no('invalid-verifier-set'), NOW, {
      ...trusted,
      keys: [{ ...trusted.keys[0], kid: changeLastHex(trusted.keys[0].kid) }],
    });
    ve('signed-not-json', 'A signed payload that is not JSON.', notJsonEnvelope, no('invalid-payload'));
    ve(
      'signed-invalid-bundle',
      'A signed payload that is not a valid bundle (sequence 0).',
      invalidEnvelope,
      no('invalid-bundle'),
    );
    ve('signed-v1-schema', 'A signed bundle v1 under the v2 payload type.', v1SchemaEnvelope, no('invalid-bundle'));
    ve('signed-secret', 'A signed bundle holding a Vault token.', secretEnvelope, no('secret-material'));
    ve(
      'second-signature-counts',
      'An unknown signature first, the valid one second: one verifying signature is enough.',
      { ...e1, signatures: [{ keyid: taskKeyV1.kid, sig: sigOf(taskKeyEnvelope) }, e1.signatures[0]] },
      ok,
    );
    ve(
      'first-refusal-reported',
      'An unknown keyid, then a bad signature: the first refusal is the verdict.',
      {
        ...e1,
        signatures: [
          { keyid: taskKeyV1.kid, sig: sigOf(e1) },
          { keyid: bundleKeyV1.kid, sig: flipBit(sigOf(e1)) },
        ],
      },
      no('unknown-key'),
    );

    // First bundles.
    const fb = (id: string, d: string, envelope: unknown, p: string, expected: Verdict, now = NOW) =>
      add(`first-bundle/${id}`, 'first-bundle', d, { envelope, pin: p, now }, expected);
    fb('valid', 'The first published envelope under the bundle_key_pin output.', e1, pin, ok);
    fb('valid-later', 'A later envelope (sequence 4) under the same pin.', e4, pin, ok);
    fb('pin-upper-case', 'The pin with upper-case hex digits.', e1, `sha256:${pin.slice(7).toUpperCase()}`, ok);
    fb('pin-of-task-key', 'The pin of the task key.', e1, bundleKeyPin(taskKeyV1.public_key), no('pin-mismatch'));
    fb('pin-short', 'A pin with 3 hex digits.', e1, 'sha256:abc', no('invalid-pin'));
    fb('pin-other-hash', 'A pin with another hash name.', e1, `sha512:${pin.slice(7)}`, no('invalid-pin'));
    fb('expired', 'At the expiry.', e1, pin, no('expired'), EXPIRES);
    fb('v1-envelope', 'A v1 envelope: v1 bundles carry no bundle keys.', v1Envelope, pin, no('wrong-payload-type'));
    fb(
      'signed-by-task-key',
      'Signed only by the task key: the pinned key did not sign.',
      taskKeyEnvelope,
      pin,
      no('pin-mismatch'),
    );
    fb(
      'signature-bit-flip',
      'One bit of the signature flipped.',
      withSig(e1, flipBit(sigOf(e1))),
      pin,
      no('bad-signature'),
    );
    fb(
      'tampered-payload',
      'The payload changed (sequence 99), the signature kept.',
      { ...e1, payload: b64(jsonencodeCanonical({ ...clone(b1), sequence: 99 })) },
      pin,
      no('bad-signature'),
    );
    fb('signed-secret', 'A signed bundle holding a Vault token.', secretEnvelope, pin, no('secret-material'));

    // Updates against the bundle a node holds.
    const up = (id: string, d: string, held: unknown, envelope: unknown, expected: Verdict, now = NOW) =>
      add(`bundle-update/${id}`, 'bundle-update', d, { held, envelope, now }, expected);
    up('pre-publish', 'Bundle 1 held, bundle 2 (task key v2 next) offered.', b1, e2, ok);
    up('activate', 'Bundle 2 held, bundle 3 (v2 active, v1 in grace) offered.', b2, e3, ok);
    up('revoke', 'Bundle 3 held, bundle 4 (v1 revoked) offered.', b3, e4, ok);
    up('skip', 'Bundle 1 held, bundle 4 offered: the bundle key did not change, so skipping is allowed.', b1, e4, ok);
    up('replay', 'Bundle 2 held, bundle 2 offered again.', b2, e2, no('sequence-not-increasing'));
    up('lower-sequence', 'Bundle 3 held, bundle 2 offered.', b3, e2, no('sequence-not-increasing'));
    up(
      'task-key-signature',
      'A bundle signed by the task key (the control plane holds that grant).',
      b1,
      taskKeyEnvelope,
      no('task-key-signature'),
    );
    up(
      'downgrade',
      'A v1 envelope signed by the task key offered to a node holding v2.',
      b1,
      v1Envelope,
      no('downgrade'),
    );
    up(
      'environment',
      'A bundle for another environment, signed by the held bundle key.',
      b2,
      otherEnvEnvelope,
      no('environment-mismatch'),
    );
    up('expired', 'Bundle 2 offered at its expiry.', b1, e2, no('expired'), EXPIRES);
    up(
      'held-expired',
      'The held bundle has expired; a fresh update signed by its bundle key recovers the node.',
      b2,
      laterExpiryEnvelope,
      ok,
      after(EXPIRES),
    );
    up(
      'revocation-lifted',
      'Bundle 4 held (task key v1 revoked); an update that lists v1 again.',
      b4,
      liftedEnvelope,
      no('revocation-lifted'),
    );
    up(
      'revoked-bundle-key',
      'The held bundle revokes bundle key v1; an update signed by v1.',
      heldWithKeys('revoked'),
      liftedEnvelope,
      no('revoked-key'),
    );
    up(
      'bundle-key-grace',
      'Bundle key v1 in grace in the held bundle: its signature counts before the end.',
      heldWithKeys('grace'),
      rootRevokedEnvelope,
      ok,
      before(GRACE_UNTIL),
    );
    up(
      'bundle-key-grace-expired',
      'Bundle key v1 in grace in the held bundle: its signature at the end.',
      heldWithKeys('grace'),
      rootRevokedEnvelope,
      no('grace-expired'),
      GRACE_UNTIL,
    );
    up(
      'unknown-bundle-key',
      'An update signed by bundle key v2, which no held bundle listed.',
      b4,
      unknownKeyEnvelope,
      no('unknown-key'),
    );
    up('root-dropped', 'An update that replaces the current root.', b4, rootSwappedEnvelope, no('root-dropped'));
    up(
      'root-revoked',
      'An update that replaces the current root and revokes it: dropped at once.',
      b4,
      rootRevokedEnvelope,
      ok,
    );
    up(
      'previous-root-in-overlap',
      'An update that drops a previous root before its overlap ends.',
      heldPreviousRoot,
      dropsPreviousEnvelope,
      no('root-dropped'),
      before(GRACE_UNTIL),
    );
    up(
      'previous-root-after-overlap',
      'An update that drops a previous root once its overlap has ended.',
      heldPreviousRoot,
      dropsPreviousEnvelope,
      ok,
      GRACE_UNTIL,
    );
    up(
      'signature-bit-flip',
      'Bundle 2 with one bit of its signature flipped.',
      b1,
      withSig(e2, flipBit(sigOf(e2))),
      no('bad-signature'),
    );

    // Sequences from enrolment.
    const step = (envelope: unknown, now = NOW) => ({ envelope, now });
    const seq = (id: string, d: string, steps: unknown[], expected: Verdict, task?: unknown, p = pin) =>
      add(`update-sequence/${id}`, 'update-sequence', d, task ? { pin: p, steps, task } : { pin: p, steps }, expected);
    const taskInput = (message: Buffer, signature: string, now = NOW) => ({
      message_base64: b64(message),
      signature,
      now,
    });
    seq('rotation', 'Enrol with bundle 1, then take bundles 2, 3 and 4.', [step(e1), step(e2), step(e3), step(e4)], ok);
    seq(
      'rotation-then-revoked-task',
      'After bundle 4, a task signed by the revoked v1.',
      [step(e1), step(e2), step(e3), step(e4)],
      no('revoked-key'),
      taskInput(task1, sig1),
    );
    seq(
      'rotation-then-new-task',
      'After bundle 4, a task signed by v2.',
      [step(e1), step(e2), step(e3), step(e4)],
      ok,
      taskInput(task2, sig2),
    );
    seq(
      'grace-task',
      'After bundle 3, a task signed by v1 inside its grace window.',
      [step(e1), step(e3)],
      ok,
      taskInput(task1, sig1),
    );
    seq(
      'grace-task-expired',
      'After bundle 3, a task signed by v1 at the grace end.',
      [step(e1), step(e3)],
      no('grace-expired'),
      taskInput(task1, sig1, GRACE_UNTIL),
    );
    seq(
      'next-task',
      'After bundle 2, a task signed by the pre-published v2.',
      [step(e1), step(e2)],
      ok,
      taskInput(task2, sig2),
    );
    seq(
      'replay-after-rotation',
      'After bundle 3, bundle 2 is replayed.',
      [step(e1), step(e2), step(e3), step(e2)],
      no('sequence-not-increasing'),
    );
    seq(
      'lift-after-revoke',
      'After bundle 4, an update that trusts v1 again.',
      [step(e1), step(e4), step(liftedEnvelope)],
      no('revocation-lifted'),
    );
    seq(
      'wrong-pin',
      'Enrolment under the pin of the task key.',
      [step(e1), step(e2)],
      no('pin-mismatch'),
      undefined,
      bundleKeyPin(taskKeyV1.public_key),
    );
    seq(
      'expired-held-recovers',
      'The held bundle expires; a fresh update recovers the node and tasks verify again.',
      [step(e1), step(e2), step(laterExpiryEnvelope, after(EXPIRES))],
      ok,
      taskInput(task1, sig1, after(EXPIRES)),
    );

    // Tasks.
    const tk = (
      id: string,
      d: string,
      verifiers: string,
      message: Buffer,
      signature: string,
      expected: Verdict,
      now = NOW,
    ) => add(`task/${id}`, 'task', d, { verifiers, message_base64: b64(message), signature, now }, expected);
    const raw1 = sig1.split(':')[2];
    tk('valid-active', 'Signed by v1, the active version of the set.', taskSetText(b1), task1, sig1, ok);
    tk('valid-next', 'Signed by v2, the pre-published next version.', taskSetText(b2), task2, sig2, ok);
    tk('valid-grace', 'Signed by v1, in grace, before its end.', taskSetText(b3), task1, sig1, ok);
    tk(
      'grace-last-millisecond',
      'Signed by v1, in grace, one millisecond before its end.',
      taskSetText(b3),
      task1,
      sig1,
      ok,
      before(GRACE_UNTIL),
    );
    tk(
      'grace-expired',
      'Signed by v1, in grace, at its end (exclusive).',
      taskSetText(b3),
      task1,
      sig1,
      no('grace-expired'),
      GRACE_UNTIL,
    );
    tk('unknown-version', 'Signed by v2 under a set without v2.', taskSetText(b1), task2, sig2, no('unknown-version'));
    tk(
      'retired-version',
      'Signed by v1 under a set that no longer lists it.',
      taskSetText(b4),
      task1,
      sig1,
      no('unknown-version'),
    );
    tk(
      'tampered-message',
      'The message changed.',
      taskSetText(b1),
      Buffer.from('drain gpu-0666 (v1)'),
      sig1,
      no('bad-signature'),
    );
    tk(
      'signature-bit-flip',
      'One bit of S flipped.',
      taskSetText(b1),
      task1,
      `vault:v1:${flipBit(raw1)}`,
      no('bad-signature'),
    );
    tk(
      'signature-s-plus-l',
      'S replaced by S + L.',
      taskSetText(b1),
      task1,
      `vault:v1:${sPlusL(raw1)}`,
      no('bad-signature'),
    );
    tk(
      'signature-small-order-r',
      'R replaced by the identity point.',
      taskSetText(b1),
      task1,
      `vault:v1:${identityR(raw1)}`,
      no('bad-signature'),
    );
    tk(
      'version-swapped',
      "v1's signature claimed as v2.",
      taskSetText(b3),
      task1,
      `vault:v2:${raw1}`,
      no('bad-signature'),
    );
    tk(
      'no-prefix',
      'Raw base64 without the vault:v<N>: prefix.',
      taskSetText(b1),
      task1,
      raw1,
      no('malformed-signature'),
    );
    tk(
      'leading-zero',
      'A version with a leading zero.',
      taskSetText(b1),
      task1,
      `vault:v01:${raw1}`,
      no('malformed-signature'),
    );
    tk(
      'upper-case-prefix',
      'The prefix in upper case.',
      taskSetText(b1),
      task1,
      `VAULT:v1:${raw1}`,
      no('malformed-signature'),
    );
    tk('trailing-space', 'A trailing space.', taskSetText(b1), task1, `${sig1} `, no('malformed-signature'));
    tk(
      'truncated',
      'A signature cut to 60 bytes.',
      taskSetText(b1),
      task1,
      `vault:v1:${b64(Buffer.from(raw1, 'base64').subarray(0, 60))}`,
      no('malformed-signature'),
    );
    tk(
      'non-canonical-base64',
      'Non-zero trailing bits in the base64.',
      taskSetText(b1),
      task1,
      `vault:v1:${nonCanonicalB64(raw1)}`,
      no('malformed-signature'),
    );
    tk(
      'signed-by-bundle-key',
      'Signed by the bundle key (version 1), under the task verifiers only.',
      taskSetText(b1),
      task1,
      bundleKeyTask,
      no('bad-signature'),
    );
    tk(
      'bundle-key-set',
      'A bundle key set given as the task verifiers.',
      bundleKeysText,
      task1,
      sig1,
      no('invalid-verifier-set'),
    );
    tk(
      'set-not-canonical',
      'The task verifier set with whitespace.',
      JSON.stringify(b1.task_verifiers.set, null, 1),
      task1,
      sig1,
      no('invalid-verifier-set'),
    );

    const tb = (
      id: string,
      d: string,
      bundle: unknown,
      message: Buffer,
      signature: string,
      expected: Verdict,
      now = NOW,
    ) =>
      add(
        `task-with-bundle/${id}`,
        'task-with-bundle',
        d,
        { bundle, message_base64: b64(message), signature, now },
        expected,
      );
    tb('valid', 'Signed by v1 under bundle 1.', b1, task1, sig1, ok);
    tb('valid-after-revocation', 'Signed by v2 under bundle 4.', b4, task2, sig2, ok);
    tb('bundle-expired', 'Any task while the held bundle has expired.', b1, task1, sig1, no('bundle-expired'), EXPIRES);
    tb(
      'bundle-expired-bad-signature',
      'The held bundle has expired: refused before the signature is looked at.',
      b1,
      task1,
      'garbage',
      no('bundle-expired'),
      EXPIRES,
    );
    tb('revoked', 'Signed by v1, which bundle 4 revokes.', b4, task1, sig1, no('revoked-key'));
    tb(
      'grace-expired',
      'Signed by v1 at the end of its grace in bundle 3.',
      b3,
      task1,
      sig1,
      no('grace-expired'),
      GRACE_UNTIL,
    );
    tb(
      'bundle-key-signature',
      'Signed by the bundle key: a bundle key never signs tasks.',
      b1,
      task1,
      bundleKeyTask,
      no('bundle-key-signature'),
    );
    tb('unknown-version', 'Signed by v2 under bundle 1.', b1, task2, sig2, no('unknown-version'));
    tb(
      'invalid-bundle',
      'The held bundle does not validate (sequence 0).',
      { ...clone(b1), sequence: 0 },
      task1,
      sig1,
      no('invalid-bundle'),
    );

    // Every expected verdict is what our node side returns.
    const wrong = vectors
      .map((v) => ({ id: v.id, expected: v.expected, got: runVector(v) }))
      .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.expected));
    expect(wrong).toEqual([]);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);

    if (process.env.PLATFORM_TRUST_WRITE_VECTORS === '1') {
      const files = writeVectorFiles(vectors);
      console.log(`[conformance] wrote ${vectors.length} vectors to ${files.join(', ')}`);
    }
    const committed = [...readVectorFiles().entries()].flatMap(([file, f]) =>
      f.vectors.map((v) => ({ file, id: v.id, kind: v.kind, expected: v.expected })),
    );
    const regenerated = vectors.map((v) => ({
      file: FILE_OF_KIND[v.kind],
      id: v.id,
      kind: v.kind,
      expected: v.expected,
    }));
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    expect(committed.sort(byId)).toEqual(regenerated.sort(byId));
  });
});
