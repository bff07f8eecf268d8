import { ErrorCode, PlatformTrustError, RETIRED_ERROR_CODES } from '../../../lib/core/errors';
import { NodeTrustError, NodeTrustErrorCode } from '../../../lib/node';
import { CASES } from './cases';
import { NODE_CASES } from './node-cases';

/** The exact message of every rejected input (see cases.ts). A change of wording is a reviewed change here. */
const EXPECTED: Record<string, string> = {
  'empty key name':
    '[PT001] Invalid task signing key name: it is empty. Received: "". Fix: give the task signing key name a non-empty name such as "node-task-signer".',
  'too long key name':
    '[PT001] Invalid task signing key name: it is 65 characters long, the limit is 64. Received: "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk". Fix: shorten the task signing key name to at most 64 characters.',
  'key name with a slash':
    '[PT001] Invalid task signing key name: it contains "/", which Vault would read as a path separator. Received: "team/signer". Fix: replace "/" with "-" (for example "team-signer").',
  'empty environment name':
    '[PT001] Invalid environment name: it is empty. Received: "". Fix: give the environment name a non-empty name such as "prod".',
  'version 0':
    '[PT003] Invalid version: key versions are whole numbers starting at 1. Received: 0. Fix: use an integer of 1 or more (Vault creates version 1 with the key; each rotation adds one).',
  'negative version':
    '[PT003] Invalid version: key versions are whole numbers starting at 1. Received: -2. Fix: use an integer of 1 or more (Vault creates version 1 with the key; each rotation adds one).',
  'fractional version':
    '[PT003] Invalid version: key versions are whole numbers starting at 1. Received: 1.5. Fix: use an integer of 1 or more (Vault creates version 1 with the key; each rotation adds one).',
  'version lowered between two configs':
    '[PT003] version went down from 3 to 2: key versions only move forward, nothing is "un-rotated". Received: 2. Fix: restore version to 3; to roll back, set activeVersion to an older version that is still in the verifier set.',
  'activeVersion above version':
    '[PT004] activeVersion (2) is above version (1): the control plane can only sign with a version that exists in Vault. Received: 2. Fix: pre-publish first: set version to 2 and keep activeVersion at 1 for one apply, then raise activeVersion.',
  'grace date malformed':
    '[PT006] Invalid grace end for version 1: expected an ISO 8601 UTC date-time. Received: "31/12/2026". Fix: write it as "YYYY-MM-DDTHH:MM:SSZ" (for example "2026-12-31T00:00:00Z"); dates come from code, never from the clock at synth time.',
  'grace dates in the wrong order':
    '[PT005] Grace for version 2 ends before grace for the older version 1: an older version may not outlive a newer one. Received: [{"version":1,"until":"2027-02-01T00:00:00Z"},{"version":2,"until":"2027-01-01T00:00:00Z"}]. Fix: end version 1 no later than version 2 (2027-01-01T00:00:00Z).',
  'grace for a version above version':
    '[PT005] Grace entry for version 3 is above version (2): that version does not exist in Vault. Received: {"version":3,"until":"2027-01-01T00:00:00Z"}. Fix: remove the entry, or grace only versions below activeVersion (1).',
  'grace for the active version':
    '[PT005] Grace entry for version 2 is not older than activeVersion (2): grace is for versions the control plane no longer signs with. Received: {"version":2,"until":"2027-01-01T00:00:00Z"}. Fix: grace only versions below 2; the active version and a pre-published next version need no grace entry.',
  'overlapping mount paths':
    '[PT010] Duplicate or overlapping mount path: transit mount and kv mount both use it. Received: ["dev/platform/transit","dev/platform"]. Fix: give every mount its own path, none a prefix of another (for example "platform/transit", "platform/kv", "platform/pki-nodes").',
  'bundle expiry margin shorter than two refresh hints':
    '[PT037] freshness.expiryMarginDays (5 days) is shorter than two refresh hints (604800 s each): nodes could hold an expired bundle before they see the next one. Received: {"expires":"2027-02-01T00:00:00Z","refreshHintSeconds":604800,"expiryMarginDays":5,"maxValidityDays":90,"rolloutRefreshes":3,"rolloutExtraSeconds":0}. Fix: raise expiryMarginDays or lower refreshHintSeconds.',
  'compromised active version also set as activeVersion':
    '[PT038] activeVersion 2 is listed as compromised: the control plane would keep signing with a revoked key. Received: {"activeVersion":2,"compromised":[2]}. Fix: remove activeVersion: with version 2 compromised the key rotates to version 3 and activates it in the same apply (or set activeVersion to an accepted version that is not compromised).',
  'compromised version above version':
    '[PT038] compromised version 3 is above version (2): that version does not exist in Vault. Received: [3]. Fix: list only versions up to 2.',
  'bundle sequence 0':
    '[PT015] Invalid bundle sequence: it must be a whole number of at least 1, and it only goes up. Received: 0. Fix: set sequence to the last published sequence plus one whenever the bundle changes (start at 1).',
  'duplicate environment names':
    '[PT010] Duplicate environment name. Received: "dev". Fix: give every environment its own name; each becomes a stack and a Vault name prefix.',
  'control-plane URL not https':
    '[PT011] Invalid control-plane URL: the scheme is "http", nodes only talk https. Received: "http://control.dev.platform.internal". Fix: give an absolute https:// URL with a host name and no credentials, query or fragment (for example "https://control.example.internal").',
  'mount path with an empty segment':
    '[PT002] Invalid kv mount path: it contains an empty segment ("//"). Received: "dev//kv". Fix: use one or more lower-case segments of letters, digits, "-" or "_" separated by single "/", with no leading or trailing "/" (for example "platform/kv").',
  'HMAC task signing key':
    '[PT007] Task signing keys must be asymmetric: shared-secret (HMAC) and symmetric key types cannot be published to nodes as verifiers. Received: "hmac". Fix: use one of "ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-2048", "rsa-3072", "rsa-4096" (the default is "ed25519").',
  'sudo capability':
    '[PT008] Unknown or forbidden Vault policy capability. Received: "sudo". Fix: use only "create", "read", "update", "patch", "delete", "list", "deny"; "sudo" is never granted by this library.',
  'policy path with a leading slash':
    '[PT009] Invalid Vault policy path: it starts with "/". Received: "/sys/mounts". Fix: give a path relative to the Vault API root without a leading "/", without ".." segments and without "*" unless a trailing glob is really needed (for example "kv/data/apps/billing").',
  'secret path leaving the mount':
    '[PT013] A secret path must be relative to the KV mount "dev/kv" and stay inside it, but it contains a "." or ".." segment. Received: "../sys/mounts". Fix: pass the path inside the mount, without the mount prefix, without a leading "/" and without "." or ".." segments (for example "apps/billing/db").',
  'grant without a consumer':
    '[PT014] TaskSigningKey.grantSign needs a consumer to grant to. Received: undefined. Fix: pass the consumer (an AppRoleConsumer or a VaultPolicy) as the first argument.',
  'the two CA bundles at one path':
    '[PT016] The public HTTPS trust bundle, the node-cert CA bundle and the task verifier set must be written to three different files. Received: {"publicHttpsBundle":"/etc/gpuaas/trust/ca.pem","nodeCertBundle":"/etc/gpuaas/trust/ca.pem"}. Fix: give GPUAAS_CA_BUNDLE_PATH, GPUAAS_NODE_CERT_CA_BUNDLE_PATH and the verifier file three distinct paths (the defaults already differ).',
  'private key given as a root certificate':
    '[PT017] A secret-looking literal was found in control-plane root; anything passed as a prop lands in cdk.tf.json. Received: "<redacted>". Fix: pass secrets as sensitive Terraform variables or let Vault generate them at apply time.',
  'token TTL below the minimum':
    '[PT018] Invalid AppRole tokenTtlSeconds. Received: 30. Fix: give a whole number of seconds between 60 and 2764800.',
  'bundle key that is the task key':
    '[PT019] The bundle signing key and the task signing key are the same transit key: whoever can sign tasks (the control plane) could then sign bundles and change what nodes trust. Received: "dev/transit/keys/node-task-signer". Fix: give the bundle its own key: a BundleSigningKey with another name (the stack default is "bundle-signer"), and keep the task key for tasks only.',
  'CIDR with host bits':
    '[PT020] Invalid CIDR block in boundCidrs: host bits are set after the prefix length. Received: "10.20.0.5/16". Fix: use the network address "10.20.0.0/16", or /32 for the single host "10.20.0.5".',
  'secret path outside the layout':
    '[PT021] A secret path must start with one of the layout categories, so every secret has a documented owner and shape. Received: "secrets/x". Fix: start the path with "registry/", "signing/", "apps/", "operators/", "bootstrap/" (for example "apps/billing/db"; build it with SecretPath).',
  'relative bundle file path':
    '[PT022] Invalid public HTTPS trust path (GPUAAS_CA_BUNDLE_PATH): it is not absolute. Received: "etc/ca.pem". Fix: give an absolute file path on the node without "." or ".." segments, empty segments or a trailing "/" (for example "/etc/gpuaas/trust/control-plane-ca.pem").',
  'non-ASCII bundle file path':
    '[PT023] Invalid public HTTPS trust path (GPUAAS_CA_BUNDLE_PATH): character "\u00f4" (U+00F4) at index 23 is not printable ASCII. Bundle values are signed as the bytes of their JSON text, so they must be plain ASCII that Terraform and cdktf carry unchanged. Received: "/etc/gpuaas/trust/contr\u00f4le.pem". Fix: use printable ASCII without double quotes, backslashes, "${" or "%{" (PEM text may contain line breaks).',
  'environment without taskSigning':
    '[PT024] Environment "dev" has no taskSigning schedule. Received: undefined. Fix: add taskSigning: { version: 1 } to the environment config.',
  'two grants on one path, one constrained':
    '[PT025] Two grants on "transit/sign/k" disagree: one constrains allowed_parameters and one does not, so merging them would widen the constrained one. Received: "transit/sign/k". Fix: grant the two to different policies, or give both grants the same parameter constraints.',
  'a root certificate that is no PEM':
    '[PT026] Invalid control-plane root: it holds no "-----BEGIN CERTIFICATE-----" block. Received: "not a certificate". Fix: pass the PEM text of the root certificate.',
  'next root named like the current root':
    '[PT027] The next root has the same name as the current root: a rotation needs a new issuer. Received: "cp-root". Fix: give the next root its own name (for example "cp-root-2027"); names fix the issuer resource, so they never change.',
  'unknown AppRole token type':
    '[PT028] Unknown AppRole token type. Received: "default-service". Fix: use TokenType.SERVICE (default) or TokenType.BATCH.',
  'maxVersions 0':
    '[PT029] maxVersions must be a whole number from 1 to 1000. Received: 0. Fix: use 10 (the default) or the number of versions each secret should keep.',
  'HSM custody':
    '[PT030] Signing custody "hsm" is not supported in this release: it would declare a Vault managed key backed by a PKCS#11 HSM slot and a transit key bound to it, so the control plane keeps calling transit/sign while the private key stays in the HSM; this needs a server with managed-key support, which must be checked before relying on it. Received: "hsm". Fix: use SigningCustody.vaultTransit() (the default): the private key is generated inside Vault transit, is not exportable and signs through transit/sign only.',
  'literal verifier set instead of a reference':
    '[PT031] The signing key must supply pubkeysJson as a token (a Terraform reference), not as literal JSON text. Received: "{\\"format\\":\\"x\\"}". Fix: pass the TaskSigningKey construct; in tests, wrap literal JSON in a TerraformLocal.',
  'policy rule without capabilities':
    '[PT032] A policy rule for "sys/mounts" has no capabilities. Received: []. Fix: list at least one capability, such as Capability.READ.',
  'unreadable policy text':
    '[PT033] Cannot read the Vault policy text: expected a name, found the end of the text at line 1, column 20. Received: "". Fix: check the policy text: `path "<path>" { capabilities = ["read"] }` blocks, optionally with parameter maps.',
  'state JSON given as a plan':
    '[PT034] Not a plan in JSON form: it is state JSON (`tofu show -json` without a plan file), not a plan. Received: ["format_version","values"]. Fix: pass the output of `tofu plan -out=plan.tfplan` followed by `tofu show -json plan.tfplan` (a saved plan, not a state file).',
  'suppression with a short reason':
    '[PT035] A suppression of PlatformTrust-PolicySudo on catalogue needs a reason of at least 10 characters: reviewers read it in the synthesized JSON. Received: "because". Fix: say why the finding is acceptable here (for example "throw-away test server: nothing to protect").',
  'suppression of a secrets rule':
    '[PT036] PlatformTrust-SecretInConfig guards key custody or secrets and cannot be suppressed: a finding of it means key material, a secret or what nodes trust is exposed to someone other than the reviewed apply. Received: "PlatformTrust-SecretInConfig". Fix: fix the configuration the finding names (the rule says how); there is no exception to record.',
  'verifier set that is not a string':
    '[NT001] value: expected a string. Received: "number". Fix: pass the text exactly as the control plane serves it (JSON, unmodified)',
  'envelope payload type that is not a string':
    '[NT002] envelope.payloadType: must be a string. Received: 1. Fix: render the value again with the library (BootstrapBundle, TaskSigningKey, BundleSigningKey) instead of editing it by hand',
  'verifier set with two active versions':
    '[NT003] value.keys: 2 entries are active (exactly one must be). Received: ["v1 active","v2 active"]. Fix: keep versions whole, unique and sorted, with exactly one active version, at most one next version above it and grace versions below it (TaskSigningKey and BundleSigningKey render such sets)',
  'verifier entry with a wrong kid':
    '[NT004] value.keys[0].kid: must be "signer:v1:c9fc2f15f2240165" (<key>:v<version>:<sha256 prefix of public_key>). Received: "signer:v1:000000000000". Fix: recompute the kid from the key name, the version and the public key (computeKid)',
  'verifier entry with a short public key':
    '[NT005] value.keys[0].public_key: must be canonical standard base64 of a raw 32-byte Ed25519 key (44 characters). Received: "AAAA". Fix: use the raw 32-byte Ed25519 public key that Vault transit reports, in canonical standard base64',
  'grace entry with a date that is not ISO 8601':
    '[NT006] value.keys[0].until: version 1 ends at "tomorrow", not an ISO 8601 UTC time. Received: "tomorrow". Fix: write the date as ISO 8601 UTC, for example "2026-12-31T00:00:00Z"',
  'verifier set that is not the canonical rendering':
    '[NT007] value: is a valid task verifier set but not its canonical compact rendering. Received: "{ \\"format\\":\\"gpuaas-task-signing-pubkeys/v1\\",\\"key\\":\\"signer\\",\\"keys\\":.... Fix: render it with renderVerifierSet (no whitespace; keys sorted at every level: format, key, keys and alg, kid, public_key, state, until, version; as Terraform jsonencode renders it)',
  'PEM that is not a certificate':
    '[NT008] pem: must hold exactly one "-----BEGIN CERTIFICATE-----" block and nothing else. Received: "not a certificate". Fix: give each entry as one PEM CA certificate, as Vault PKI returns it',
  'bundle with the two CA bundles at one path':
    '[NT009] bundle.node_cert_trust.path: equals public_https_trust.path (/etc/gpuaas/ca.pem); the three files must be distinct. Received: ["/etc/gpuaas/ca.pem","/etc/gpuaas/ca.pem","/etc/gpuaas/trust/task-signing-pu.... Fix: give each file its own path (defaults: DEFAULT_PATHS)',
  'bundle whose node-cert chain holds the public root':
    '[NT010] bundle.node_cert_trust.pems[0]: is also public HTTPS root 0 (same certificate); the two CA bundles must never mix. Received: "CN=gpuaas control-plane root 2026". Fix: take the public HTTPS roots and the node-cert CA chain from two different CAs (ControlPlaneTrust and NodeCertAuthority)',
  'bundle that tells nodes the Vault address':
    '[NT011] bundle: holds a Vault API address at value.control_plane.url; nothing rendered for nodes may carry secrets. Received: <redacted>. Fix: remove it: nothing rendered for nodes may hold a Vault address, a token, an AppRole id or secret, or a private key',
  'bundle whose env disagrees with its fields':
    '[NT012] bundle.env.GPUAAS_CA_BUNDLE_PATH: must equal public_https_trust.path. Received: "/etc/other.pem". Fix: render the env block from the fields it mirrors (BootstrapBundle does)',
  'trust files written under a file':
    '[NT013] rootDir: writing the trust files failed (Error: ENOTDIR: not a directory, mkdir \'/dev/null/etc/gpuaas/trust\'). Received: "/dev/null". Fix: check that rootDir exists, is a directory and is writable by the agent',
  'verifier set given as a bundle key set':
    '[NT014] value.format: is "gpuaas-task-signing-pubkeys/v1", a task verifier set, where a bundle key set ("cdktf-platform-trust/bundle-keys/v1") is expected; tasks are verified only under task verifiers and bundles only under bundle keys. Received: "gpuaas-task-signing-pubkeys/v1". Fix: pass the bundle key set',
  'bundle key set that is the task key':
    '[NT015] bundle.bundle_keys.set.key: is "gpuaas-task-signing", the task signing key; a key used for both tasks and bundles lets whoever signs tasks sign bundles. Received: "gpuaas-task-signing". Fix: sign bundles with a separate transit key that only the apply identity may use',
};

function errorOf(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const ALL_CASES = [...CASES, ...NODE_CASES];

/** The code a message starts with (`[PT001] ...` -> "PT001"). */
const codeOf = (message: string) => /^\[([A-Z]{2}\d{3})\]/.exec(message)?.[1];

describe('catalogue of rejected inputs: exact messages', () => {
  test('every case has an expected message and every expected message a case', () => {
    expect(ALL_CASES.map(([name]) => name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test('every error code has at least one case, except the retired ones', () => {
    const raised = new Set(Object.values(EXPECTED).map(codeOf));
    const codes = [
      ...Object.values(ErrorCode).filter((c) => !RETIRED_ERROR_CODES.includes(c)),
      ...Object.values(NodeTrustErrorCode),
    ];
    expect(codes.filter((c) => !raised.has(c))).toEqual([]);
    // A retired code is never raised, and its number is never given another meaning.
    for (const c of RETIRED_ERROR_CODES) expect(raised.has(c)).toBe(false);
    expect(new Set(Object.values(ErrorCode)).size).toBe(Object.values(ErrorCode).length);
  });

  test.each(ALL_CASES.map(([name, fn]) => [name, fn] as const))('%s', (name, fn) => {
    const error = errorOf(fn);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toBe(EXPECTED[name]);
    // Every message says what is wrong, quotes the value received and says how to fix it, in one shape on both
    // sides; the code property is the code the message starts with.
    if (error instanceof PlatformTrustError) {
      expect(message).toMatch(/^\[PT\d{3}\] .+ Received: .+\. Fix: .+/);
      expect(error.code).toBe(codeOf(message));
    } else {
      expect(error).toBeInstanceOf(NodeTrustError);
      const e = error as NodeTrustError;
      expect(message).toMatch(/^\[NT\d{3}\] [^ ]+: .+\. Received: .+\. Fix: .+/);
      expect(e.code).toBe(codeOf(message));
      expect(message.startsWith(`[${e.code}] ${e.field}: ${e.problem}. Received: `)).toBe(true);
      expect(message.endsWith(`. Fix: ${e.fix}`)).toBe(true);
    }
  });
});
