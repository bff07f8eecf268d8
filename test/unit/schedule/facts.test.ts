import { Testing } from 'cdktf';
import { PlatformTrustStack } from '../../../lib';
import {
  bundleFactsFromReads,
  keyFactsFromRead,
  readOnlyPolicy,
  readPaths,
  readableVersions,
  recordCreatedTime,
  scheduleLocations,
} from '../../../lib/schedule';
import { parseVaultTime } from '../../../lib/schedule/private/time';
import { resolveMounts } from '../../../stacks/environment';
import { dev } from '../../../stacks/environments';
import { PEM, PIN, bundleV2 } from '../review/bundle-plans';

// The body of GET /v1/<transit>/keys/<name> for an ed25519 key, as Vault 1.21 answers it (two versions).
const KEY_READ = {
  request_id: 'c9ddf984-8fa5-8527-5175-92b0e8b5c70d',
  data: {
    allow_plaintext_backup: false,
    exportable: false,
    keys: {
      '1': {
        certificate_chain: '',
        creation_time: '2026-12-02T05:23:08.708204388Z',
        hybrid_public_key: '',
        name: 'ed25519',
        public_key: 'c7G40BJT3Wb326Gb36K3knTEm9VPFeNLBVmRpEtoVv4=',
      },
      '2': {
        certificate_chain: '',
        creation_time: '2026-12-02T07:23:08.736679824+02:00',
        hybrid_public_key: '',
        name: 'ed25519',
        public_key: 'UGgsG7D5FiGVzunLlGGkqAOlw9uDcde8dIuXNFcrAno=',
      },
    },
    latest_version: 2,
    min_decryption_version: 1,
    min_encryption_version: 0,
    name: 'node-task-signer',
    type: 'ed25519',
  },
  mount_type: 'transit',
};

// The body of GET /v1/<kv>/metadata/<name>, as Vault 1.21 answers it.
const metadata = (versions: Record<string, { created_time: string; deletion_time?: string; destroyed?: boolean }>) => ({
  data: {
    cas_required: false,
    created_time: '2026-12-01T00:00:00.1Z',
    current_version: Math.max(...Object.keys(versions).map(Number)),
    custom_metadata: { inputs_sha256: 'ab', payload_sha256: 'cd', sequence: '7' },
    max_versions: 0,
    oldest_version: 0,
    versions: Object.fromEntries(
      Object.entries(versions).map(([v, e]) => [
        v,
        { created_by: { actor: 'token' }, deletion_time: '', destroyed: false, deleted_by: null, ...e },
      ]),
    ),
  },
});

/** The body of GET /v1/<kv>/data/<name>?version=<n> for a published v2 bundle. */
function dataRead(bundle: object, envelopeAsText = false) {
  const envelope = {
    payload: Buffer.from(JSON.stringify(bundle)).toString('base64'),
    payloadType: 'x',
    signatures: [],
  };
  return {
    data: {
      data: { envelope: envelopeAsText ? JSON.stringify(envelope) : envelope, inputs_sha256: 'ab', sequence: 7 },
      metadata: { created_time: '2026-12-02T00:00:00Z', custom_metadata: { sequence: '7' }, version: 1 },
    },
  };
}

describe('Vault times', () => {
  test.each([
    ['2026-12-02T05:23:08.708204388Z', Date.UTC(2026, 11, 2, 5, 23, 8, 708)],
    ['2026-12-02T07:23:08.736679824+02:00', Date.UTC(2026, 11, 2, 5, 23, 8, 736)],
    ['2026-12-02T05:23:08-01:30', Date.UTC(2026, 11, 2, 6, 53, 8)],
    ['2026-12-02T05:23:08Z', Date.UTC(2026, 11, 2, 5, 23, 8)],
  ])('GIVEN %s THEN it reads as the instant', (text, ms) => {
    expect(parseVaultTime(text)).toBe(ms);
  });

  test.each(['2026-12-02 05:23:08Z', '2026-02-30T00:00:00Z', '2026-12-02T05:23:08', 1700000000, ''])(
    'GIVEN %j THEN it is not a time',
    (text) => {
      expect(parseVaultTime(text)).toBeUndefined();
    },
  );
});

describe('transit key reads', () => {
  test('GIVEN an ed25519 key read THEN each version has its creation time (UTC) and the latest version', () => {
    expect(keyFactsFromRead('node-task-signer', KEY_READ)).toEqual({
      name: 'node-task-signer',
      exists: true,
      latestVersion: 2,
      created: { 1: '2026-12-02T05:23:08.708Z', 2: '2026-12-02T05:23:08.736Z' },
      published: {},
    });
  });

  test('GIVEN a symmetric key read (keys.<n> is Unix seconds) THEN the creation time is read too', () => {
    const body = { data: { keys: { '1': 1764652988 }, latest_version: 1 } };
    expect(keyFactsFromRead('k', body).created).toEqual({ 1: '2025-12-02T05:23:08.000Z' });
  });

  test('GIVEN an answer without keys THEN it is refused, naming the key', () => {
    expect(() => keyFactsFromRead('k', { data: { latest_version: 1 } })).toThrow(
      'the read of transit key "k" has no data.keys and data.latest_version',
    );
  });
});

describe('published bundle reads', () => {
  const bundle = {
    ...bundleV2(),
    sequence: 7,
    public_https_trust: {
      path: '/etc/gpuaas/trust/control-plane-ca.pem',
      roots: [
        { pem: PEM.oldRoot, state: 'previous', until: '2027-01-31T00:00:00Z' },
        { pem: PEM.newRoot, state: 'current' },
      ],
    },
    freshness: { expires: '2027-02-01T00:00:00Z', refresh_hint_seconds: 3600 },
    revoked: {
      task_key_versions: [1],
      bundle_key_versions: [],
      root_pins: [PIN.corpRoot.toUpperCase().replace('SHA256', 'sha256')],
    },
  };

  test('GIVEN the metadata and two readable versions THEN the history has each bundle: sequence, expiry, key versions, roots by pin, revocations', () => {
    const meta = metadata({
      '1': { created_time: '2026-12-01T00:00:00.5Z' },
      '2': { created_time: '2026-12-02T00:00:00Z' },
    });
    const facts = bundleFactsFromReads(
      meta,
      new Map<number, unknown>([
        [1, dataRead({ ...bundle, sequence: 6 }, true)],
        [2, dataRead(bundle)],
      ]),
    );
    expect(facts.sequence).toBe(7);
    expect(facts.complete).toBe(true);
    expect(facts.history.map((h) => [h.kvVersion, h.createdTime, h.sequence])).toEqual([
      [1, '2026-12-01T00:00:00.500Z', 6],
      [2, '2026-12-02T00:00:00.000Z', 7],
    ]);
    const last = facts.history[1];
    expect(last.expires).toBe('2027-02-01T00:00:00Z');
    expect(last.refreshHintSeconds).toBe(3600);
    expect(last.taskKey).toEqual({ name: 'node-task-signer', versions: [1] });
    expect(last.bundleKey).toEqual({ name: 'bundle-signer', versions: [1] });
    expect(last.roots.map((r) => [r.pin, r.subject, r.state, r.until])).toEqual([
      [PIN.oldRoot, 'CN=dev-control-plane-root', 'previous', '2027-01-31T00:00:00Z'],
      [PIN.newRoot, 'CN=dev-control-plane-root-2027', 'current', undefined],
    ]);
    expect(last.roots[1].notAfter).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(last.revoked).toEqual({ taskKeyVersions: [1], bundleKeyVersions: [], rootPins: [PIN.corpRoot] });
    expect(facts.revocationRetention).toEqual({});
  });

  test('GIVEN revocation retention ends in the custom metadata THEN they are the facts, other keys are not', () => {
    const meta = metadata({ '1': { created_time: '2026-12-01T00:00:00Z' } });
    (meta.data.custom_metadata as Record<string, string>)['revoked:task-key:v1'] = '2027-03-01T00:00:00.25Z';
    const facts = bundleFactsFromReads(meta, new Map([[1, dataRead(bundle)]]));
    expect(facts.revocationRetention).toEqual({ 'revoked:task-key:v1': '2027-03-01T00:00:00.25Z' });
  });

  test('GIVEN a deleted and a destroyed version THEN they are left out and the history is not complete', () => {
    const meta = metadata({
      '1': { created_time: '2026-12-01T00:00:00Z', destroyed: true },
      '2': { created_time: '2026-12-02T00:00:00Z', deletion_time: '2026-12-03T00:00:00Z' },
      '3': { created_time: '2026-12-04T00:00:00Z' },
    });
    expect(readableVersions(meta).map((v) => v.version)).toEqual([3]);
    const facts = bundleFactsFromReads(meta, new Map([[3, dataRead(bundle)]]));
    expect(facts.history.map((h) => h.kvVersion)).toEqual([3]);
    expect(facts.complete).toBe(false);
  });

  test("GIVEN a publication record metadata read THEN its created time is its first version's", () => {
    const meta = metadata({ '1': { created_time: '2026-12-01T10:00:00.123456789Z' } });
    expect(recordCreatedTime(meta)).toBe('2026-12-01T10:00:00.123Z');
  });
});

describe('where the command reads', () => {
  test("GIVEN the dev stack THEN the key names, the KV mount, the bundle secret and the record folder are the stack's", () => {
    const stack = new PlatformTrustStack(Testing.app(), { environment: dev });
    const loc = scheduleLocations(dev, resolveMounts(dev));
    expect(loc).toEqual({
      transitMount: stack.taskSigningKey.mountPath,
      kvMount: stack.bootstrapBundle.kvMountPath,
      taskKeyName: stack.taskSigningKey.keyName,
      bundleKeyName: stack.bundleSigningKey.keyName,
      bundleSecret: stack.bootstrapBundle.secretName,
      recordPrefix: stack.bootstrapBundle.recordPrefix,
    });
    expect(stack.bundleSigningKey.mountPath).toBe(loc.transitMount);
    expect(readPaths.record(loc, 'node-task-signer', 2)).toBe(
      'dev/kv/metadata/bootstrap/bundle-published/node-task-signer/v2',
    );
  });

  test('GIVEN named keys and mounts THEN the read-only policy reads exactly five paths and nothing else', () => {
    const env = {
      ...dev,
      mounts: { transit: 'platform/transit', kv: 'platform/kv' },
      taskSigning: { keyName: 'tasks', version: 1 },
      bundleSigning: { keyName: 'bundles', version: 1 },
    };
    const stack = new PlatformTrustStack(Testing.app(), { environment: env });
    const loc = scheduleLocations(env, resolveMounts(env));
    expect([loc.taskKeyName, loc.bundleKeyName, loc.kvMount]).toEqual([
      stack.taskSigningKey.keyName,
      stack.bundleSigningKey.keyName,
      stack.bootstrapBundle.kvMountPath,
    ]);
    expect(readOnlyPolicy(loc)).toBe(
      [
        'path "platform/transit/keys/tasks" {\n  capabilities = ["read"]\n}',
        'path "platform/transit/keys/bundles" {\n  capabilities = ["read"]\n}',
        'path "platform/kv/metadata/bootstrap/bundle" {\n  capabilities = ["read"]\n}',
        'path "platform/kv/data/bootstrap/bundle" {\n  capabilities = ["read"]\n}',
        'path "platform/kv/metadata/bootstrap/bundle-published/*" {\n  capabilities = ["read"]\n}',
      ].join('\n\n') + '\n',
    );
  });
});
