/**
 * The HTTP handler that serves the bootstrap bundle to nodes, for node:http and node:https servers: the envelope
 * with a strong ETag, 304 for a matching `If-None-Match`, `Cache-Control` from the bundle's refresh hint, and
 * optionally only to clients that present a node certificate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BundleSource } from './bundle-source';

/** Path the handler serves by default, and the node agent fetches by default. */
export const DEFAULT_BUNDLE_PATH = '/v1/bootstrap/bundle';

/** Media type of the served envelope. */
export const BUNDLE_MEDIA_TYPE = 'application/json';

/** Options of {@link createBundleHandler}. */
export interface BundleHandlerOptions {
  /**
   * Path served (query strings are ignored).
   * @default DEFAULT_BUNDLE_PATH ("/v1/bootstrap/bundle")
   */
  readonly path?: string;
  /**
   * Answer 401 unless the TLS client presented a certificate that the server verified (`socket.authorized`). The
   * server must request one and trust only the node-cert CA: see {@link nodeClientTlsOptions}.
   * @default false
   */
  readonly requireClientCertificate?: boolean;
}

/** A request handler; `next` (if given) is called for other paths, otherwise they get 404. */
export type BundleHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * Creates the handler. GET and HEAD only (405 otherwise, with `Allow`); 503 with `Retry-After` before the source
 * has a bundle; 304 when `If-None-Match` lists the current ETag (weak comparison, `*` matches); otherwise 200 with
 * the envelope. Every 200 and 304 carries `ETag` and `Cache-Control: max-age=<refresh hint>, must-revalidate`.
 */
export function createBundleHandler(source: BundleSource, options: BundleHandlerOptions = {}): BundleHandler {
  const servedPath = options.path ?? DEFAULT_BUNDLE_PATH;
  const requireCert = options.requireClientCertificate ?? false;
  return (req, res, next) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== servedPath) {
      if (next) return next();
      return answer(res, 404, { 'Content-Type': 'text/plain' }, 'not found\n');
    }
    if (requireCert && (req.socket as TLSSocket).authorized !== true) {
      return answer(res, 401, { 'Content-Type': 'text/plain' }, 'a node certificate is required\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'method not allowed\n');
    }
    const published = source.current();
    if (!published) {
      return answer(res, 503, { 'Retry-After': '5', 'Content-Type': 'text/plain' }, 'no bundle published yet\n');
    }
    const headers = {
      ETag: published.etag,
      'Cache-Control': `max-age=${published.refreshHintSeconds}, must-revalidate`,
    };
    if (matches(req.headers['if-none-match'], published.etag)) return answer(res, 304, headers);
    res.writeHead(200, { ...headers, 'Content-Type': BUNDLE_MEDIA_TYPE, 'Content-Length': published.body.length });
    res.end(req.method === 'HEAD' ? undefined : published.body);
  };
}

/**
 * TLS server options that ask every client for a certificate and trust only the node-cert CA chain of the bundle
 * the source serves (`node_cert_trust.pems`): merge them into `https.createServer` options (or
 * `server.setSecureContext`) and pass `requireClientCertificate: true` to the handler. A client without a
 * certificate still completes the handshake and gets 401 from the handler, so the refusal is an HTTP answer.
 */
export function nodeClientTlsOptions(source: BundleSource): {
  /** Ask every client for a certificate. */
  requestCert: true;
  /** Complete the handshake without a verified certificate too (the handler answers 401). */
  rejectUnauthorized: false;
  /** The node-cert CA PEMs of the served bundle: the only roots a client certificate is verified against. */
  ca: string[];
} {
  const published = source.current();
  if (!published) throw new TypeError('nodeClientTlsOptions: the source has no bundle yet');
  return { requestCert: true, rejectUnauthorized: false, ca: [...published.nodeCertPems] };
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** `If-None-Match` against a strong ETag, with the weak comparison RFC 9110 prescribes for it. */
function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return true;
  return text.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
