/**
 * Test helper: real bootstrap bundles (real certificates, real signatures) and their envelopes.
 */
import {
  BUNDLE_PAYLOAD_TYPE,
  BUNDLE_PAYLOAD_TYPE_V2,
  BUNDLE_SCHEMA_V1,
  BUNDLE_SCHEMA_V2,
  BootstrapBundle,
  BootstrapBundleV1,
  BootstrapBundleV2,
  BundleFreshness,
  BundleKeySetV1,
  BundleRevocations,
  DEFAULT_PATHS,
  DsseEnvelope,
  RootState,
  SignedEnvelope,
  VerifierSetV1,
  jsonencodeCanonical,
  pae,
  renderVerifierSet,
} from '../../../../lib/node';
import { TestSigner } from './signer';
import { TestCertificate, makeCertificate } from './x509';

/** Certificates shared by the bundle tests (generated once per test file). */
export interface TrustMaterial {
  /** Control-plane roots: the old one and the new one of a CA rotation. */
  readonly rootOld: TestCertificate;
  readonly rootNew: TestCertificate;
  /** Node-cert CA chain: root and intermediate. */
  readonly nodeRoot: TestCertificate;
  readonly nodeIntermediate: TestCertificate;
}

export function makeTrustMaterial(): TrustMaterial {
  const nodeRoot = makeCertificate({ commonName: 'gpuaas node-cert root', keyType: 'ed25519' });
  return {
    rootOld: makeCertificate({ commonName: 'gpuaas control-plane root 2025' }),
    rootNew: makeCertificate({ commonName: 'gpuaas control-plane root 2026' }),
    nodeRoot,
    nodeIntermediate: makeCertificate({ commonName: 'gpuaas node-cert issuing CA', issuer: nodeRoot }),
  };
}

export interface BundleSpec {
  readonly verifiers: VerifierSetV1;
  readonly roots: ReadonlyArray<{ readonly cert: TestCertificate; readonly state: RootState; readonly until?: string }>;
  readonly nodePems: readonly string[];
  readonly sequence?: number;
  readonly environment?: string;
  readonly url?: string;
  readonly paths?: { publicHttpsBundle?: string; nodeCertBundle?: string; taskVerifiers?: string };
}

/** A consistent bundle (env mirrors the fields). */
export function makeBundle(spec: BundleSpec): BootstrapBundleV1 {
  const paths = { ...DEFAULT_PATHS, ...spec.paths };
  return {
    schema: BUNDLE_SCHEMA_V1,
    environment: spec.environment ?? 'staging',
    sequence: spec.sequence ?? 1,
    control_plane: { url: spec.url ?? 'https://control-plane.staging.example.internal' },
    public_https_trust: {
      path: paths.publicHttpsBundle,
      roots: spec.roots.map((r) =>
        r.until === undefined
          ? { pem: r.cert.pem, state: r.state }
          : { pem: r.cert.pem, state: r.state, until: r.until },
      ),
    },
    node_cert_trust: { path: paths.nodeCertBundle, pems: [...spec.nodePems] },
    task_verifiers: { path: paths.taskVerifiers, set: spec.verifiers },
    env: {
      GPUAAS_CA_BUNDLE_PATH: paths.publicHttpsBundle,
      GPUAAS_NODE_CERT_CA_BUNDLE_PATH: paths.nodeCertBundle,
      GPUAAS_TASK_SIGNING_PUBKEYS: renderVerifierSet(spec.verifiers),
    },
  };
}

export interface EnvelopeOptions {
  readonly payloadType?: string;
  /** Type signed over in PAE (default: the envelope's payloadType). */
  readonly signedType?: string;
  readonly keyid?: string;
}

/** Signs payload bytes (or a bundle rendered with JSON.stringify) as the control plane would through transit. */
export function envelopeFor(
  payload: BootstrapBundleV1 | Uint8Array | string,
  signer: TestSigner,
  version: number,
  options: EnvelopeOptions = {},
): SignedEnvelope {
  const bytes =
    payload instanceof Uint8Array
      ? Buffer.from(payload)
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  const payloadType = options.payloadType ?? BUNDLE_PAYLOAD_TYPE;
  const sig = signer.sign(version, pae(options.signedType ?? payloadType, bytes));
  return {
    payloadType,
    payload: bytes.toString('base64'),
    signatures: [{ keyid: options.keyid ?? signer.kid(version), sig }],
  };
}

/**
 * Default expiry of the v2 bundles the helpers build: well after every test clock (the tests run at dates in
 * 2026) and every grace or overlap end they use.
 */
export const TEST_EXPIRES = '2030-01-01T00:00:00Z';
/** Default refresh hint of the v2 bundles the helpers build (one hour). */
export const TEST_REFRESH_HINT_SECONDS = 3600;

/** What a v2 bundle adds to {@link BundleSpec}. */
export interface BundleSpecV2 extends BundleSpec {
  readonly bundleKeys: BundleKeySetV1;
  /** @default - expires {@link TEST_EXPIRES}, refresh hint {@link TEST_REFRESH_HINT_SECONDS} */
  readonly freshness?: Partial<BundleFreshness>;
  /** Each list defaults to empty. */
  readonly revoked?: Partial<BundleRevocations>;
}

/** A consistent bundle v2: the v1 fields of `spec` plus `bundle_keys`, `freshness` and `revoked`. */
export function makeBundleV2(spec: BundleSpecV2): BootstrapBundleV2 {
  const v1: Omit<BootstrapBundleV1, 'schema'> & { schema?: string } = { ...makeBundle(spec) };
  delete v1.schema;
  return {
    ...v1,
    schema: BUNDLE_SCHEMA_V2,
    bundle_keys: { set: spec.bundleKeys },
    freshness: {
      expires: spec.freshness?.expires ?? TEST_EXPIRES,
      refresh_hint_seconds: spec.freshness?.refresh_hint_seconds ?? TEST_REFRESH_HINT_SECONDS,
    },
    revoked: {
      bundle_key_versions: [...(spec.revoked?.bundle_key_versions ?? [])],
      root_pins: [...(spec.revoked?.root_pins ?? [])],
      task_key_versions: [...(spec.revoked?.task_key_versions ?? [])],
    },
  };
}

/** One signature of a DSSE envelope: a key version of a signer, or a ready-made `{ keyid, sig }`. */
export type DsseSignatureSpec =
  | { readonly signer: TestSigner; readonly version: number; readonly keyid?: string; readonly vaultPrefix?: boolean }
  | { readonly keyid: string; readonly sig: string };

/**
 * A v2 envelope: the payload (a bundle rendered canonically, or given bytes/text) signed over
 * PAE(payloadType, payload) by each spec, in order (raw DSSE signatures; `vaultPrefix` makes the Vault text).
 */
export function dsseEnvelopeFor(
  payload: BootstrapBundle | Uint8Array | string,
  signatures: readonly DsseSignatureSpec[],
  options: { readonly payloadType?: string; readonly signedType?: string } = {},
): DsseEnvelope {
  const bytes =
    payload instanceof Uint8Array
      ? Buffer.from(payload)
      : Buffer.from(typeof payload === 'string' ? payload : jsonencodeCanonical(payload), 'utf8');
  const payloadType = options.payloadType ?? BUNDLE_PAYLOAD_TYPE_V2;
  const message = pae(options.signedType ?? payloadType, bytes);
  return {
    payloadType,
    payload: bytes.toString('base64'),
    signatures: signatures.map((s) =>
      'sig' in s
        ? { keyid: s.keyid, sig: s.sig }
        : {
            keyid: s.keyid ?? s.signer.kid(s.version),
            sig: s.vaultPrefix ? s.signer.sign(s.version, message) : s.signer.signDsse(s.version, message),
          },
    ),
  };
}
