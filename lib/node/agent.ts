/**
 * The node agent's bundle loop, for any node agent to embed: it fetches the bootstrap bundle from the control plane
 * on start and every refresh hint (with jitter, and backoff after failures), with conditional requests, over TLS
 * that trusts only the public HTTPS roots of the bundle it holds; it accepts an update only as `acceptBundleUpdate`
 * allows (sequence, signature under the held bundle keys, expiry), writes the three trust files atomically, keeps
 * what it accepted across restarts, and keeps using the held bundle while the control plane is unreachable, until
 * that bundle expires. It never contacts Vault.
 */
import { EventEmitter } from 'node:events';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { bundleFreshness } from './bundle';
import { acceptBundleUpdate } from './bundle-update';
import type { Ed25519Engine } from './ed25519';
import { describeError } from './errors';
import { acceptFirstBundle } from './first-bundle';
import type { BootstrapBundle } from './formats';
import { MaterializedBundle, materializeBundle } from './materialize';
import { AgentState, readAgentState, writeAgentState } from './agent-state';
import { TaskWithBundleVerification, verifyTaskWithBundle } from './verify-task';

/** Path the agent fetches by default (the control plane's bundle handler serves it by default). */
export const DEFAULT_AGENT_BUNDLE_PATH = '/v1/bootstrap/bundle';

/** How a node that holds no bundle yet gets its first one. */
export interface AgentEnrolment {
  /** The bundle key pin received out of band (the stack's `bundle_key_pin` output). */
  readonly bundleKeyPin: string;
  /**
   * The first envelope, delivered with the node (an image, cloud-init): accepted offline under the pin. Without it
   * the agent fetches the first bundle from `url`, trusting `httpsRoots`.
   * @default - fetched
   */
  readonly envelope?: string;
  /**
   * The control plane's URL for the first fetch (later fetches use the URL of the held bundle).
   * @default - required when `envelope` is not given
   */
  readonly url?: string;
  /**
   * PEM roots the first fetch trusts for the control plane's HTTPS certificate (later fetches trust only the roots
   * of the held bundle).
   * @default - required when `envelope` is not given
   */
  readonly httpsRoots?: string;
}

/** Options of a {@link BundleAgent}. */
export interface BundleAgentOptions {
  /** Directory of the agent's own state (the accepted envelope and its ETag), kept across restarts. */
  readonly stateDir: string;
  /** Where the three trust files are written: `/` on a node (see `materializeBundle`). */
  readonly rootDir: string;
  /**
   * Enrolment, used only while the state directory holds no bundle.
   * @default - none: the agent needs a state directory that holds a bundle
   */
  readonly enrolment?: AgentEnrolment;
  /**
   * The node's client certificate (PEM, with its key) for a control plane that asks for one.
   * @default - none
   */
  readonly clientCertificate?: {
    /** The certificate (PEM), with any intermediates after it. */
    readonly cert: string;
    /** Its private key (PEM). */
    readonly key: string;
  };
  /**
   * Path of the bundle on the control plane.
   * @default DEFAULT_AGENT_BUNDLE_PATH ("/v1/bootstrap/bundle")
   */
  readonly path?: string;
  /**
   * Connect to this address instead of the URL's host (a load balancer address); TLS still checks the URL's host
   * name.
   * @default - the URL's host and port
   */
  readonly connectTo?: {
    /** Host name or IP address to connect to. */
    readonly host: string;
    /** TCP port to connect to. */
    readonly port: number;
  };
  /**
   * Jitter, as a fraction of the refresh hint: each wait is `hint x (1 - jitter x random())`, never longer than
   * the hint.
   * @default 0.2
   */
  readonly jitter?: number;
  /**
   * Backoff after a failed fetch: the first wait, doubled after each further failure up to `maxMs` (each wait
   * randomised between half and all of it).
   * @default - initialMs: a quarter of the refresh hint, at most 1000 ms; maxMs: the refresh hint
   */
  readonly backoff?: {
    /**
     * Wait after the first failure, in milliseconds.
     * @default - a quarter of the refresh hint, at most 1000
     */
    readonly initialMs?: number;
    /**
     * Longest wait, in milliseconds.
     * @default - the refresh hint
     */
    readonly maxMs?: number;
  };
  /**
   * Timeout of one request in milliseconds.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest body accepted, in bytes.
   * @default 1048576
   */
  readonly maxBundleBytes?: number;
  /**
   * The clock every check uses.
   * @default - the system clock
   */
  readonly clock?: () => Date;
  /**
   * Random numbers in [0, 1) for jitter and backoff.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Ed25519 engine of every verification.
   * @default - as `verifyTask`
   */
  readonly engine?: Ed25519Engine;
}

/** Where the agent stands. */
export type BundleAgentPhase =
  /** Not started. */
  | 'idle'
  /** Holds no bundle yet. */
  | 'enrolling'
  /** Holds a bundle and its last check succeeded. */
  | 'fresh'
  /** Holds a bundle; its last check failed (the control plane is unreachable): the held bundle stays in use. */
  | 'stale'
  /** The held bundle has expired: every task is refused until a fresh bundle arrives. */
  | 'expired'
  /** Stopped. */
  | 'stopped';

/** A snapshot of the agent's state. */
export interface BundleAgentStatus {
  /** Where the agent stands now. */
  readonly phase: BundleAgentPhase;
  /** Sequence of the held bundle. */
  readonly sequence?: number;
  /** Expiry of the held bundle. */
  readonly expiresAt?: Date;
  /** Last check, successful or not. */
  readonly lastCheckAt?: Date;
  /** Last check that reached the control plane and got 200 or 304. */
  readonly lastSuccessAt?: Date;
  /** Failed fetches since the last success. */
  readonly consecutiveFailures: number;
  /** When the next check is due. */
  readonly nextCheckAt?: Date;
}

/** Everything the agent reports, each also emitted under its `type` and as `event`. */
export type BundleAgentEvent =
  /** A bundle was accepted and its files written (`enrolled`: it is the node's first). */
  | {
      /** The event's name. */
      readonly type: 'accepted';
      /** Sequence of the accepted bundle. */
      readonly sequence: number;
      /** Sequence of the bundle it replaces; undefined on enrolment. */
      readonly previous?: number;
      /** Whether it is the node's first bundle. */
      readonly enrolled: boolean;
      /** Paths of the trust files written (absolute, under `rootDir`). */
      readonly files: MaterializedBundle;
    }
  /** The control plane serves what the agent holds (304, or the same envelope). */
  | {
      /** The event's name. */
      readonly type: 'unchanged';
      /** Sequence of the held bundle. */
      readonly sequence: number;
      /** HTTP status of the answer: 304, or 200 with the envelope held. */
      readonly status: 200 | 304;
    }
  /** The served envelope was refused (`reason` from acceptBundleUpdate or acceptFirstBundle); the held one stays. */
  | {
      /** The event's name. */
      readonly type: 'rejected';
      /** Why, as the reason code of acceptBundleUpdate or acceptFirstBundle. */
      readonly reason: string;
      /** What was wrong, in words. */
      readonly detail: string;
      /** Sequence of the bundle still held; undefined when none is held yet. */
      readonly held?: number;
    }
  /** The fetch failed: `tls` is true for a TLS failure (the server's certificate is not trusted, a handshake error). */
  | {
      /** The event's name. */
      readonly type: 'fetch-failed';
      /** The failure's message (`HTTP <status>` for an unexpected answer). */
      readonly error: string;
      /** The error code of the failure (such as `ECONNREFUSED`, or a TLS verification code), when it has one. */
      readonly code?: string;
      /** HTTP status of the answer, when the control plane answered with something other than 200 or 304. */
      readonly status?: number;
      /** Whether it is a TLS failure. */
      readonly tls: boolean;
      /** Failed fetches since the last success, this one included. */
      readonly consecutiveFailures: number;
      /** Wait before the next attempt, in milliseconds (the backoff, randomised). */
      readonly retryInMs: number;
    }
  /** An accepted bundle could not be written (files or state): it is not held; the next check tries again. */
  | {
      /** The event's name. */
      readonly type: 'write-failed';
      /** Sequence of the bundle that could not be written. */
      readonly sequence: number;
      /** The write failure's message. */
      readonly error: string;
    }
  /** The held bundle has expired. */
  | {
      /** The event's name. */
      readonly type: 'expired';
      /** Sequence of the expired bundle. */
      readonly sequence: number;
      /** When it expired. */
      readonly expiresAt: Date;
    };

/** The events of a {@link BundleAgent}, by name. */
export interface BundleAgentEvents {
  /** A bundle was accepted and its files written. */
  accepted: [Extract<BundleAgentEvent, { type: 'accepted' }>];
  /** The control plane serves what the agent holds. */
  unchanged: [Extract<BundleAgentEvent, { type: 'unchanged' }>];
  /** The served envelope was refused; the held one stays. */
  rejected: [Extract<BundleAgentEvent, { type: 'rejected' }>];
  /** A fetch failed; the next one follows the backoff. */
  'fetch-failed': [Extract<BundleAgentEvent, { type: 'fetch-failed' }>];
  /** An accepted bundle could not be written. */
  'write-failed': [Extract<BundleAgentEvent, { type: 'write-failed' }>];
  /** The held bundle has expired. */
  expired: [Extract<BundleAgentEvent, { type: 'expired' }>];
  /** Every event. */
  event: [BundleAgentEvent];
}

/** The bundle loop of one node. */
export class BundleAgent extends EventEmitter<BundleAgentEvents> {
  private held?: AgentState;
  private phase: BundleAgentPhase = 'idle';
  private failures = 0;
  private lastCheckAt?: Date;
  private lastSuccessAt?: Date;
  private nextCheckAt?: Date;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private agent?: https.Agent;
  private secureContext?: tls.SecureContext;
  private agentRoots?: string;
  /** Base64 DER of the root that the kept-alive connection's server chain ended in (verified at its handshake). */
  private connectedRoot?: string;
  private expiredReported = false;
  private readonly clock: () => Date;
  private readonly random: () => number;

  constructor(private readonly options: BundleAgentOptions) {
    super();
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    const jitter = options.jitter ?? 0.2;
    if (!(jitter >= 0 && jitter < 1)) throw new TypeError(`BundleAgent: jitter must be in [0, 1), got ${jitter}`);
  }

  /** The bundle the agent holds (undefined before enrolment). */
  public get bundle(): BootstrapBundle | undefined {
    return this.held?.bundle;
  }

  /** A snapshot of the agent's state. */
  public status(): BundleAgentStatus {
    const f = this.held ? bundleFreshness(this.held.bundle) : undefined;
    return {
      phase: this.phase,
      sequence: this.held?.bundle.sequence,
      expiresAt: f?.expiresAt,
      lastCheckAt: this.lastCheckAt,
      lastSuccessAt: this.lastSuccessAt,
      consecutiveFailures: this.failures,
      nextCheckAt: this.nextCheckAt,
    };
  }

  /**
   * Loads the held state (a restart keeps the accepted sequence), enrols from `enrolment.envelope` when there is
   * none, then checks the control plane at once and keeps checking. Throws a `NodeTrustError` when the state file is
   * unreadable, and a TypeError when there is neither state nor a usable enrolment.
   */
  public start(): void {
    if (this.phase !== 'idle') throw new TypeError(`BundleAgent: start() called in phase ${this.phase}`);
    this.held = readAgentState(this.options.stateDir);
    const enrol = this.options.enrolment;
    if (!this.held) {
      if (!enrol) throw new TypeError('BundleAgent: the state directory holds no bundle and no enrolment is given');
      if (enrol.envelope === undefined && (enrol.url === undefined || enrol.httpsRoots === undefined)) {
        throw new TypeError(
          'BundleAgent: enrolment needs either the first envelope, or the url and httpsRoots to fetch it',
        );
      }
      this.phase = 'enrolling';
      if (enrol.envelope !== undefined) this.take(enrol.envelope, undefined);
    } else {
      this.phase = 'fresh';
    }
    this.arm(0);
  }

  /** Checks now (for example on SIGHUP), unless a check is running; resolves when it is done. */
  public refreshNow(): Promise<void> {
    if (this.phase === 'idle' || this.phase === 'stopped') return Promise.resolve();
    if (this.timer) clearTimeout(this.timer);
    return this.check();
  }

  /** Stops the loop and closes its connections; resolves after a running check. */
  public async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.phase = 'stopped';
    await this.inFlight;
    this.agent?.destroy();
    this.agent = undefined;
  }

  /**
   * Verifies a task under the held bundle at the agent's clock (`verifyTaskWithBundle`): refused as
   * `invalid-bundle` before enrolment and as `bundle-expired` once the held bundle has expired.
   */
  public verifyTask(message: Uint8Array | string, signature: string): TaskWithBundleVerification {
    if (!this.held) return { ok: false, reason: 'invalid-bundle', detail: 'the agent holds no bundle yet' };
    return verifyTaskWithBundle(this.held.bundle, message, signature, this.clock(), { engine: this.options.engine });
  }

  private arm(ms: number): void {
    if (this.phase === 'stopped') return;
    if (this.timer) clearTimeout(this.timer);
    this.nextCheckAt = new Date(this.clock().getTime() + ms);
    this.timer = setTimeout(() => void this.check(), ms);
  }

  private check(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.runCheck().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async runCheck(): Promise<void> {
    const held = this.held;
    const enrol = this.options.enrolment;
    const url = new URL(held ? held.bundle.control_plane.url : enrol!.url!);
    const roots = normalizeRoots(
      held ? held.bundle.public_https_trust.roots.map((r) => r.pem) : splitPems(enrol!.httpsRoots!),
    );
    this.lastCheckAt = this.clock();
    let result: FetchResult;
    try {
      result = await this.fetch(url, roots, held?.etag);
    } catch (e) {
      return this.failed(e as FetchError);
    }
    if (this.phase === 'stopped') return;
    if (result.status === 304 && held) {
      this.succeeded();
      this.report({ type: 'unchanged', sequence: held.bundle.sequence, status: 304 });
    } else if (result.status === 200) {
      this.succeeded();
      const text = result.body.toString('utf8');
      if (held && text === held.envelope) {
        if (result.etag !== held.etag) this.persist({ ...held, etag: result.etag });
        this.report({ type: 'unchanged', sequence: held.bundle.sequence, status: 200 });
      } else {
        this.take(text, result.etag);
      }
    } else {
      return this.failed(Object.assign(new Error(`HTTP ${result.status}`), { status: result.status }));
    }
    this.arm(this.regularWait());
  }

  /** Verifies and, when accepted, writes and holds `envelope`. */
  private take(envelope: string, etag: string | undefined): void {
    const now = this.clock();
    const held = this.held;
    const engine = { engine: this.options.engine };
    const verdict = held
      ? acceptBundleUpdate({ bundle: held.bundle }, envelope, now, engine)
      : acceptFirstBundle(envelope, this.options.enrolment!.bundleKeyPin, now, engine);
    if (!verdict.ok) {
      this.report({ type: 'rejected', reason: verdict.reason, detail: verdict.detail, held: held?.bundle.sequence });
      return;
    }
    const next: AgentState = { envelope, bundle: verdict.bundle, etag, acceptedAt: now.toISOString() };
    let files: MaterializedBundle;
    try {
      files = materializeBundle(verdict.bundle, this.options.rootDir);
      writeAgentState(this.options.stateDir, next);
    } catch (e) {
      this.report({ type: 'write-failed', sequence: verdict.bundle.sequence, error: describeError(e) });
      return;
    }
    this.held = next;
    this.expiredReported = false;
    if (this.phase === 'enrolling' || this.phase === 'expired') this.phase = 'fresh';
    this.report({
      type: 'accepted',
      sequence: verdict.bundle.sequence,
      previous: held?.bundle.sequence,
      enrolled: !held,
      files,
    });
  }

  private persist(state: AgentState): void {
    try {
      writeAgentState(this.options.stateDir, state);
      this.held = state;
    } catch {
      // only the ETag changed: the next check sends the old one and gets the same bundle again
    }
  }

  private succeeded(): void {
    this.failures = 0;
    this.lastSuccessAt = this.clock();
    if (this.phase === 'stale') this.phase = 'fresh';
  }

  private failed(e: FetchError): void {
    if (this.phase === 'stopped') return;
    this.failures += 1;
    const hintMs = this.hintMs();
    const initial = this.options.backoff?.initialMs ?? Math.min(1000, hintMs / 4);
    const max = this.options.backoff?.maxMs ?? hintMs;
    const full = Math.min(max, initial * 2 ** (this.failures - 1));
    const wait = Math.round(full * (0.5 + 0.5 * this.random()));
    if (this.held && this.phase === 'fresh') this.phase = 'stale';
    this.checkExpiry();
    this.report({
      type: 'fetch-failed',
      error: e.message,
      code: e.code,
      status: e.status,
      tls: isTlsFailure(e),
      consecutiveFailures: this.failures,
      retryInMs: wait,
    });
    this.arm(wait);
  }

  private checkExpiry(): void {
    const f = this.held ? bundleFreshness(this.held.bundle) : undefined;
    if (!f || this.clock().getTime() < f.expiresAt.getTime()) return;
    this.phase = 'expired';
    if (!this.expiredReported) {
      this.expiredReported = true;
      this.report({ type: 'expired', sequence: this.held!.bundle.sequence, expiresAt: f.expiresAt });
    }
  }

  private hintMs(): number {
    const f = this.held ? bundleFreshness(this.held.bundle) : undefined;
    return (f?.refreshHintSeconds ?? 60) * 1000;
  }

  private regularWait(): number {
    this.checkExpiry();
    return Math.round(this.hintMs() * (1 - (this.options.jitter ?? 0.2) * this.random()));
  }

  private report(event: BundleAgentEvent): void {
    (this.emit as (name: string, e: BundleAgentEvent) => boolean).call(this, event.type, event);
    this.emit('event', event);
  }

  /**
   * The connection pool and TLS context for `roots`. A new context whenever the held roots change; the kept-alive
   * connection stays only when roots were added (it was verified under roots that are all still trusted), and is
   * closed when any root was removed (dropped or revoked), so that the next request handshakes under `roots` only.
   */
  private connectionFor(roots: string): { agent: https.Agent; secureContext: tls.SecureContext } {
    if (!this.agent || !this.secureContext || this.agentRoots !== roots) {
      const kept = new Set(splitPems(roots));
      const removed = splitPems(this.agentRoots ?? '').some((pem) => !kept.has(pem));
      // A connection whose server chain ends in a root that is still held stays: it is what a new handshake under
      // `roots` would accept. One that ends in a removed root (dropped, revoked) is closed.
      const stillTrusted =
        this.connectedRoot !== undefined && [...kept].some((pem) => derOf(pem) === this.connectedRoot);
      if (!this.agent || (removed && !stillTrusted)) {
        this.connectedRoot = undefined;
        this.agent?.destroy();
        // No socket limit: a request never waits in the pool's queue, where node:http would open its socket with the
        // options of the socket that closed (the previous TLS context), not with this request's.
        this.agent = new https.Agent({ keepAlive: true });
      }
      const cert = this.options.clientCertificate;
      this.secureContext = tls.createSecureContext({ ca: roots, cert: cert?.cert, key: cert?.key });
      this.agentRoots = roots;
    }
    return { agent: this.agent, secureContext: this.secureContext };
  }

  private async fetch(url: URL, roots: string, etag: string | undefined): Promise<FetchResult> {
    try {
      return await this.fetchOnce(url, roots, etag);
    } catch (e) {
      // A kept-alive connection closed by the server just as the request went out: once more on a new connection.
      if ((e as FetchError).reusedSocket && ['ECONNRESET', 'EPIPE'].includes((e as FetchError).code ?? '')) {
        return this.fetchOnce(url, roots, etag);
      }
      throw e;
    }
  }

  private fetchOnce(url: URL, roots: string, etag: string | undefined): Promise<FetchResult> {
    const limit = this.options.maxBundleBytes ?? 1048576;
    const timeout = this.options.requestTimeoutMs ?? 10000;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.options.connectTo?.host ?? url.hostname,
          port: this.options.connectTo?.port ?? (url.port ? Number(url.port) : 443),
          servername: url.hostname,
          path: this.options.path ?? DEFAULT_AGENT_BUNDLE_PATH,
          method: 'GET',
          headers: { Accept: 'application/json', ...(etag ? { 'If-None-Match': etag } : {}) },
          ...this.connectionFor(roots),
          timeout,
        },
        (res) => {
          if (!req.reusedSocket) this.connectedRoot = chainRoot(res.socket as tls.TLSSocket);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) req.destroy(new Error(`the bundle is larger than ${limit} bytes`));
            else chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const tag = res.headers.etag;
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              etag: typeof tag === 'string' ? tag : undefined,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.on('error', (e: FetchError) => {
        e.reusedSocket = req.reusedSocket;
        reject(e);
      });
      req.end();
    });
  }
}

/** The PEM blocks of a text. */
function splitPems(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** Base64 of a PEM certificate's DER. */
function derOf(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----|\s/g, '');
}

/** Base64 DER of the last certificate of a connection's verified server chain (its root), if known. */
function chainRoot(socket: tls.TLSSocket): string | undefined {
  let cert = socket.getPeerCertificate?.(true);
  if (!cert || !cert.raw) return undefined;
  while (cert.issuerCertificate && cert.issuerCertificate !== cert && cert.issuerCertificate.raw) {
    cert = cert.issuerCertificate;
  }
  return cert.raw.toString('base64');
}

/** Roots as one text: each PEM trimmed, unique, sorted, joined by newlines (a reordering is not a change). */
function normalizeRoots(pems: readonly string[]): string {
  return `${[...new Set(pems.map((p) => p.trim()))].sort().join('\n')}\n`;
}

interface FetchResult {
  readonly status: number;
  readonly body: Buffer;
  readonly etag?: string;
}

type FetchError = Error & { code?: string; status?: number; reusedSocket?: boolean };

/** True for a failure of TLS itself: an untrusted or wrong certificate, or a failed handshake. */
export function isTlsFailure(e: { code?: string; message?: string }): boolean {
  const code = e.code ?? '';
  return (
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH)/.test(code) ||
    /\b(SSL|TLS) alert|handshake/i.test(e.message ?? '')
  );
}
