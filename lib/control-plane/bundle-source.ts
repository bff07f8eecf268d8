/**
 * Where the control plane gets the bootstrap bundle it serves: the envelope the stack publishes to KV v2
 * (`<kv>/data/bootstrap/bundle`, data `{ envelope, sequence, inputs_sha256 }`), checked before it is served.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { BootstrapBundleV2, BundleKeySetV1, DsseEnvelope } from '../node/formats';
import { verifyBundle } from '../node/verify-bundle';
import { AppRoleSession } from './approle-session';
import { ControlPlaneError, ControlPlaneErrorCode as Code, vaultErrors } from './errors';

/** A bundle ready to serve. */
export interface PublishedBundle {
  /** The envelope exactly as served (compact JSON, UTF-8). */
  readonly body: Buffer;
  /** Strong ETag: `"sha256-<base64url of SHA-256 over body>"`. */
  readonly etag: string;
  /** The bundle's sequence. */
  readonly sequence: number;
  /** The bundle's `freshness.refresh_hint_seconds`. */
  readonly refreshHintSeconds: number;
  /** The bundle's `freshness.expires`. */
  readonly expiresAt: Date;
  /** The node-cert CA chain the bundle carries (what a node's client certificate chains to). */
  readonly nodeCertPems: readonly string[];
  /** The bundle itself (validated, frozen). */
  readonly bundle: BootstrapBundleV2;
}

/** What the bundle handler serves from. */
export interface BundleSource {
  /** The bundle to serve now, or undefined before the first one is loaded. */
  current(): PublishedBundle | undefined;
}

/**
 * Checks an envelope (text or object) and prepares it for serving: it must be a v2 envelope that verifies under the
 * bundle keys it carries, and must not have expired at `now`. This is a sanity check of what was published (a node
 * verifies it against the bundle keys it already holds); throws BUNDLE_UNAVAILABLE (CP006) when it fails.
 */
export function publishedBundle(envelope: DsseEnvelope | string, now: Date = new Date()): PublishedBundle {
  const text = typeof envelope === 'string' ? envelope : JSON.stringify(envelope);
  let keys: unknown;
  try {
    const payload = JSON.parse(Buffer.from(JSON.parse(text).payload, 'base64').toString('utf8'));
    keys = payload?.bundle_keys?.set;
  } catch {
    keys = undefined;
  }
  // A key set of the wrong kind or shape is refused by verifyBundle itself (wrong-key-kind, invalid-verifier-set).
  const verdict = keys ? verifyBundle(text, keys as BundleKeySetV1, now) : undefined;
  if (!verdict || !verdict.ok) {
    const why = verdict ? `${verdict.reason}: ${verdict.detail}` : 'not a v2 envelope with bundle keys';
    throw new ControlPlaneError(
      Code.BUNDLE_UNAVAILABLE,
      `the published bootstrap envelope does not verify under its own bundle keys (${why})`,
      'publish the bundle again with an apply of the stack; never edit the KV secret by hand',
    );
  }
  const bundle = verdict.bundle;
  const body = Buffer.from(text, 'utf8');
  return {
    body,
    etag: `"sha256-${createHash('sha256').update(body).digest('base64url')}"`,
    sequence: bundle.sequence,
    refreshHintSeconds: bundle.freshness.refresh_hint_seconds,
    expiresAt: new Date(bundle.freshness.expires),
    nodeCertPems: bundle.node_cert_trust.pems,
    bundle,
  };
}

/** A source that always serves one envelope (tests, benchmarks, a file-based deployment). */
export class StaticBundleSource implements BundleSource {
  private readonly published: PublishedBundle;
  constructor(envelope: DsseEnvelope | string, now?: Date) {
    this.published = publishedBundle(envelope, now);
  }
  public current(): PublishedBundle {
    return this.published;
  }
}

/** Options of {@link VaultBundleSource.start}. */
export interface VaultBundleSourceOptions {
  /** The control plane's logged-in AppRole session (its policy grants read on the bundle). */
  readonly session: AppRoleSession;
  /** KV v2 data path of the bundle: the stack's `bootstrap_bundle_kv_path` output. */
  readonly path: string;
  /**
   * How often KV is read again, in milliseconds.
   * @default - a quarter of the served bundle's refresh hint (at least 250 ms, at most 60 s)
   */
  readonly pollMs?: number;
}

/** Events of a {@link VaultBundleSource}. */
export interface VaultBundleSourceEvents {
  /** A new bundle is served. */
  updated: [
    {
      /** Sequence of the bundle now served. */
      sequence: number;
      /** Sequence of the bundle served before; undefined for the first. */
      previous?: number;
    },
  ];
  /** A read or check failed; the source keeps serving what it had. */
  error: [ControlPlaneError];
}

/** Serves the bundle the stack published to KV, read with the control plane's token and checked before serving. */
export class VaultBundleSource extends EventEmitter<VaultBundleSourceEvents> implements BundleSource {
  /** Reads the bundle once (throws when it cannot) and starts polling. */
  public static async start(options: VaultBundleSourceOptions): Promise<VaultBundleSource> {
    const source = new VaultBundleSource(options);
    await source.refresh();
    source.schedule();
    return source;
  }

  private published?: PublishedBundle;
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: VaultBundleSourceOptions) {
    super();
  }

  public current(): PublishedBundle | undefined {
    return this.published;
  }

  /**
   * Reads KV now. A bundle whose sequence is below the served one is refused (BUNDLE_ROLLBACK, CP007) and the
   * served one kept; an unchanged one is kept as it is. Throws BUNDLE_UNAVAILABLE (CP006) when it cannot be read or
   * does not verify.
   */
  public async refresh(): Promise<PublishedBundle> {
    const answer = await this.options.session.request('GET', this.options.path);
    const envelope = answer.body?.data?.data?.envelope;
    if (answer.status !== 200 || !envelope) {
      throw new ControlPlaneError(
        Code.BUNDLE_UNAVAILABLE,
        `the bootstrap bundle at ${this.options.path} could not be read (HTTP ${answer.status}: ${vaultErrors(answer.body)})`,
        'pass the stack output bootstrap_bundle_kv_path; the control plane policy grants read on it',
        { status: answer.status },
      );
    }
    const next = publishedBundle(typeof envelope === 'string' ? envelope : JSON.stringify(envelope));
    const served = this.published;
    if (served && next.etag === served.etag) return served;
    if (served && next.sequence < served.sequence) {
      throw new ControlPlaneError(
        Code.BUNDLE_ROLLBACK,
        `the published bundle's sequence went down from ${served.sequence} to ${next.sequence}; still serving ${served.sequence}`,
        'nodes refuse a lower sequence anyway; find who wrote the KV secret (audit log) and publish with a higher sequence',
      );
    }
    this.published = next;
    this.emit('updated', { sequence: next.sequence, previous: served?.sequence });
    return next;
  }

  /** Stops polling. */
  public close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    const hint = this.published?.refreshHintSeconds ?? 60;
    const ms = this.options.pollMs ?? Math.min(60000, Math.max(250, (hint * 1000) / 4));
    this.timer = setTimeout(() => {
      this.refresh()
        .catch((e) => {
          const error =
            e instanceof ControlPlaneError
              ? e
              : new ControlPlaneError(Code.BUNDLE_UNAVAILABLE, String(e), 'see the cause', { cause: e });
          if (this.listenerCount('error') > 0) this.emit('error', error);
        })
        .finally(() => this.schedule());
    }, ms);
    this.timer.unref();
  }
}
