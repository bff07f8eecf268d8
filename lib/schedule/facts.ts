/**
 * The facts the rotation schedule reads from Vault, and pure parsers of the server's responses (the command does
 * the HTTP reads; tests feed responses in the real server's shape). Nothing secret is kept: versions, times, key
 * and root names, pins and dates.
 */
import { BUNDLE_SCHEMA_V2 } from '../kernel/formats';
import { REVOCATION_METADATA_PREFIX } from '../kernel/freshness';
import { certificateFacts } from '../review/certificate-facts';
import { isoSeconds, parseVaultTime } from './private/time';

/** A transit signing key as Vault holds it. */
export interface KeyFacts {
  /** Transit key name. */
  readonly name: string;
  /** False when Vault has no such key (the read answered 404). */
  readonly exists: boolean;
  /** Vault's `latest_version` (0 when the key does not exist). */
  readonly latestVersion: number;
  /** Each version's `creation_time`, ISO 8601 UTC. */
  readonly created: Readonly<Record<number, string>>;
  /**
   * `created_time` of the publication records read, by version (ISO 8601 UTC): when the bundle that first listed
   * the version was published. A version read without a record is absent.
   */
  readonly published: Readonly<Record<number, string>>;
}

/** A control-plane root as one version of the published bundle carries it. */
export interface PublishedRoot {
  readonly pin: string;
  readonly subject: string;
  /** The certificate's `not_after`, ISO 8601 UTC. */
  readonly notAfter: string;
  /** `current`, `next` or `previous`. */
  readonly state: string;
  readonly until?: string;
}

/** One retained version of the published bundle secret (KV v2). */
export interface PublishedBundleVersion {
  /** KV version number. */
  readonly kvVersion: number;
  /** When the version was written (ISO 8601 UTC): when nodes could first fetch it. */
  readonly createdTime: string;
  readonly sequence?: number;
  /** `freshness.expires` of the bundle (format v2). */
  readonly expires?: string;
  readonly refreshHintSeconds?: number;
  /** Task key name and the versions its verifier set lists (any state). */
  readonly taskKey?: { readonly name: string; readonly versions: readonly number[] };
  /** Bundle key name and the versions its key set lists. */
  readonly bundleKey?: { readonly name: string; readonly versions: readonly number[] };
  readonly roots: readonly PublishedRoot[];
  readonly revoked: {
    readonly taskKeyVersions: readonly number[];
    readonly bundleKeyVersions: readonly number[];
    readonly rootPins: readonly string[];
  };
}

/** The published bundle secret. */
export interface BundleFacts {
  /** False when Vault has no published bundle (the metadata read answered 404). */
  readonly exists: boolean;
  /** The published sequence (`custom_metadata.sequence`). */
  readonly sequence?: number;
  /** KV `current_version`. */
  readonly currentVersion: number;
  /** Retained versions that can still be read, oldest first. */
  readonly history: readonly PublishedBundleVersion[];
  /** True when `history` holds every version from 1 to the current one (nothing pruned, deleted or destroyed). */
  readonly complete: boolean;
  /**
   * The retention end of each revoked item as the published bundle records it (`revoked:<item>` custom metadata): the
   * date before which a plan that drops the item fails. Empty when none is recorded.
   */
  readonly revocationRetention?: Readonly<Record<string, string>>;
}

/** Everything the schedule reads from Vault for one environment. */
export interface VaultFacts {
  readonly taskKey: KeyFacts;
  readonly bundleKey: KeyFacts;
  readonly bundle: BundleFacts;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const whole = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
};
const utc = (v: unknown): string | undefined => {
  const ms = parseVaultTime(v);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** A key Vault does not have. */
export function missingKey(name: string): KeyFacts {
  return { name, exists: false, latestVersion: 0, created: {}, published: {} };
}

/**
 * Facts of a transit key from the body of `GET /v1/<mount>/keys/<name>`. For an asymmetric key (ed25519) each
 * `keys.<n>` is an object with `creation_time` (RFC 3339, nanoseconds); for a symmetric key it is the creation time
 * in Unix seconds. Throws when the body is not a key read.
 */
export function keyFactsFromRead(name: string, body: unknown): KeyFacts {
  const data = obj(obj(body)?.data);
  const latest = whole(data?.latest_version);
  const keys = obj(data?.keys);
  if (!data || latest === undefined || !keys) {
    throw new Error(`the read of transit key "${name}" has no data.keys and data.latest_version`);
  }
  const created: Record<number, string> = {};
  for (const [v, entry] of Object.entries(keys)) {
    const version = whole(v);
    if (version === undefined) continue;
    const e = obj(entry);
    const time = e
      ? utc(e.creation_time)
      : typeof entry === 'number'
        ? new Date(entry * 1000).toISOString()
        : undefined;
    if (time !== undefined) created[version] = time;
  }
  return { name, exists: true, latestVersion: latest, created, published: {} };
}

/** `created_time` of a KV v2 secret from the body of `GET /v1/<kv>/metadata/<name>` (its first version's time). */
export function recordCreatedTime(body: unknown): string | undefined {
  const data = obj(obj(body)?.data);
  const versions = obj(data?.versions);
  // The first retained version is the record's creation (a record is written once).
  const first = versions
    ? Object.keys(versions)
        .map(Number)
        .filter(Number.isInteger)
        .sort((a, b) => a - b)[0]
    : undefined;
  return utc(first !== undefined ? obj(versions![String(first)])?.created_time : undefined) ?? utc(data?.created_time);
}

/** The KV versions of the published bundle that can be read (neither deleted nor destroyed), oldest first. */
export function readableVersions(metadataBody: unknown): Array<{ version: number; createdTime: string }> {
  const versions = obj(obj(obj(metadataBody)?.data)?.versions) ?? {};
  const out: Array<{ version: number; createdTime: string }> = [];
  for (const [v, e] of Object.entries(versions)) {
    const version = whole(v);
    const entry = obj(e);
    const createdTime = utc(entry?.created_time);
    if (version === undefined || !entry || createdTime === undefined) continue;
    if (entry.destroyed === true || (typeof entry.deletion_time === 'string' && entry.deletion_time !== '')) continue;
    out.push({ version, createdTime });
  }
  return out.sort((a, b) => a.version - b.version);
}

function versionsOf(set: unknown): { name: string; versions: number[] } | undefined {
  const s = obj(set);
  if (!s || typeof s.key !== 'string' || !Array.isArray(s.keys)) return undefined;
  const versions = s.keys.map((k) => whole(obj(k)?.version)).filter((v): v is number => v !== undefined);
  return { name: s.key, versions };
}

const numbers = (v: unknown) => (Array.isArray(v) ? v.map(whole).filter((n): n is number => n !== undefined) : []);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** The bundle a KV version of the published secret carries: its envelope's payload (format v1 or v2). */
export function bundleOfData(dataBody: unknown): Obj | undefined {
  const data = obj(obj(obj(dataBody)?.data)?.data);
  let envelope: unknown = data?.envelope;
  if (typeof envelope === 'string') {
    try {
      envelope = JSON.parse(envelope);
    } catch {
      return undefined;
    }
  }
  const payload = obj(envelope)?.payload;
  if (typeof payload !== 'string') return undefined;
  try {
    return obj(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
}

/** One version of the published bundle from the body of `GET /v1/<kv>/data/<name>?version=<n>`. */
export function publishedVersionFromData(
  kvVersion: number,
  createdTime: string,
  dataBody: unknown,
): PublishedBundleVersion {
  const bundle = bundleOfData(dataBody) ?? {};
  const freshness = obj(bundle.freshness);
  const revoked = obj(bundle.revoked);
  const roots: PublishedRoot[] = [];
  for (const r of Array.isArray(obj(bundle.public_https_trust)?.roots)
    ? (obj(bundle.public_https_trust)!.roots as unknown[])
    : []) {
    const root = obj(r);
    const facts = certificateFacts(root?.pem);
    if (!root || !facts) continue;
    roots.push({
      pin: facts.pin,
      subject: facts.subject,
      notAfter: facts.notAfter,
      state: typeof root.state === 'string' ? root.state : '?',
      ...(typeof root.until === 'string' ? { until: root.until } : {}),
    });
  }
  const taskKey = versionsOf(obj(bundle.task_verifiers)?.set);
  const bundleKey = bundle.schema === BUNDLE_SCHEMA_V2 ? versionsOf(obj(bundle.bundle_keys)?.set) : undefined;
  const sequence = whole(bundle.sequence);
  const hint = whole(freshness?.refresh_hint_seconds);
  return {
    kvVersion,
    createdTime,
    ...(sequence !== undefined ? { sequence } : {}),
    ...(typeof freshness?.expires === 'string' ? { expires: freshness.expires } : {}),
    ...(hint !== undefined ? { refreshHintSeconds: hint } : {}),
    ...(taskKey ? { taskKey } : {}),
    ...(bundleKey ? { bundleKey } : {}),
    roots,
    revoked: {
      taskKeyVersions: numbers(revoked?.task_key_versions),
      bundleKeyVersions: numbers(revoked?.bundle_key_versions),
      rootPins: strings(revoked?.root_pins).map((p) => p.toLowerCase()),
    },
  };
}

/**
 * The published bundle from its metadata body and the data bodies of its readable versions (`dataBodies` by KV
 * version; a version missing there is left out of the history).
 */
export function bundleFactsFromReads(metadataBody: unknown, dataBodies: ReadonlyMap<number, unknown>): BundleFacts {
  const data = obj(obj(metadataBody)?.data);
  if (!data) throw new Error('the read of the published bundle metadata has no data');
  const readable = readableVersions(metadataBody);
  const history = readable
    .filter((v) => dataBodies.has(v.version))
    .map((v) => publishedVersionFromData(v.version, v.createdTime, dataBodies.get(v.version)));
  const custom = obj(data.custom_metadata) ?? {};
  const sequence = whole(custom.sequence);
  const revocationRetention = Object.fromEntries(
    Object.entries(custom).filter(
      (e): e is [string, string] => e[0].startsWith(REVOCATION_METADATA_PREFIX) && typeof e[1] === 'string',
    ),
  );
  return {
    exists: true,
    ...(sequence !== undefined ? { sequence } : {}),
    currentVersion: whole(data.current_version) ?? 0,
    history,
    complete: history.length > 0 && history.length === history[history.length - 1].kvVersion,
    revocationRetention,
  };
}

/** A bundle that was never published. */
export function missingBundle(): BundleFacts {
  return { exists: false, currentVersion: 0, history: [], complete: false };
}

/** ISO 8601 UTC to the second of a fact's time (for messages). */
export const factTime = (iso: string): string => {
  const ms = parseVaultTime(iso);
  return ms === undefined ? iso : isoSeconds(ms);
};
