import { CASES } from './cases';

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
  'bundle sequence 0':
    '[PT015] Invalid bundle sequence: it must be a whole number of at least 1, and it only goes up. Received: 0. Fix: set sequence to the last published sequence plus one whenever the bundle changes (start at 1).',
  'duplicate environment names':
    '[PT010] Duplicate environment name. Received: "dev". Fix: give every environment its own name; each becomes a stack and a Vault name prefix.',
  'control-plane URL not https':
    '[PT011] Invalid control-plane URL: the scheme is "http", nodes only talk https. Received: "http://control.dev.platform.internal". Fix: give an absolute https:// URL with a host name and no credentials, query or fragment (for example "https://control.example.internal").',
};

function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

describe('catalogue of rejected inputs: exact messages', () => {
  test('every case has an expected message and every expected message a case', () => {
    expect(CASES.map(([name]) => name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(CASES.map(([name, fn]) => [name, fn] as const))('%s', (name, fn) => {
    const message = messageOf(fn);
    expect(message).toBe(EXPECTED[name]);
    // Every message says what is wrong, quotes the value received and says how to fix it.
    expect(message).toMatch(/^\[PT\d{3}\] .+ Received: .+\. Fix: .+/);
  });
});
