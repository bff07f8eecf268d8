import {
  TaskVerification,
  formatVaultSignature,
  parseVaultSignature,
  renderVerifierSet,
  verifyTask,
} from '../../../lib/node';
import { TestSigner } from './helpers/signer';

const signer = new TestSigner();
const NOW = new Date('2026-02-01T00:00:00Z');
const GRACE_UNTIL = '2026-02-15T00:00:00Z';
// v1 retired (absent), v2 in grace until Feb 15, v3 active, v4 pre-published.
const set = signer.set([2, 'grace', GRACE_UNTIL], [3, 'active'], [4, 'next']);
const task = JSON.stringify({ type: 'drain', node: 'gpu-node-17', nonce: 'c9f1' });
const ENGINES = ['node', 'noble', 'auto'] as const;

const reasonOf = (r: TaskVerification) => (r.ok ? 'ok' : r.reason);

describe.each(ENGINES)('verifyTask (engine %s)', (engine) => {
  const verify = (sig: string, message: Uint8Array | string = task, now = NOW, s: typeof set | string = set) =>
    verifyTask(s, message, sig, now, { engine });

  test('GIVEN a task signed by the active version WHEN verified THEN it is accepted with version, kid and state', () => {
    expect(verify(signer.sign(3, task))).toEqual({ ok: true, version: 3, kid: signer.kid(3), state: 'active' });
  });

  test('GIVEN a task signed by the pre-published next version WHEN verified THEN it is accepted (activation needs no bundle round-trip)', () => {
    expect(verify(signer.sign(4, task))).toEqual({ ok: true, version: 4, kid: signer.kid(4), state: 'next' });
  });

  test('GIVEN a task signed by a grace version WHEN verified before until THEN it is accepted', () => {
    expect(verify(signer.sign(2, task), task, new Date('2026-02-14T23:59:59.999Z'))).toMatchObject({
      ok: true,
      state: 'grace',
      version: 2,
    });
  });

  test('GIVEN a task signed by a grace version WHEN verified at or after until THEN it is refused as grace-expired', () => {
    expect(reasonOf(verify(signer.sign(2, task), task, new Date(GRACE_UNTIL)))).toBe('grace-expired');
    expect(reasonOf(verify(signer.sign(2, task), task, new Date('2027-01-01T00:00:00Z')))).toBe('grace-expired');
  });

  test('GIVEN a task signed by a retired version (not in the set) WHEN verified THEN it is refused as unknown-version', () => {
    const r = verify(signer.sign(1, task));
    expect(r).toEqual({
      ok: false,
      reason: 'unknown-version',
      detail: 'key version 1 is not in the verifier set (retired, or never published)',
    });
    expect(reasonOf(verify(signer.sign(5, task)))).toBe('unknown-version');
  });

  test('GIVEN a signature by one version relabelled as another WHEN verified THEN it is refused as bad-signature', () => {
    const raw = signer.signRaw(2, task);
    expect(reasonOf(verify(formatVaultSignature(3, raw)))).toBe('bad-signature');
  });

  test('GIVEN the raw verifier set text WHEN verifying THEN it behaves like the parsed set', () => {
    const text = renderVerifierSet(set);
    expect(verify(signer.sign(3, task), task, NOW, text)).toEqual(verify(signer.sign(3, task)));
    expect(reasonOf(verify(signer.sign(1, task), task, NOW, text))).toBe('unknown-version');
  });

  test('GIVEN a message as bytes or as a string WHEN verified THEN both forms are the UTF-8 bytes', () => {
    const sig = signer.sign(3, task);
    expect(verify(sig, Buffer.from(task, 'utf8')).ok).toBe(true);
    expect(verify(sig, new Uint8Array(Buffer.from(task, 'utf8'))).ok).toBe(true);
    expect(reasonOf(verify(sig, `${task} `))).toBe('bad-signature');
  });

  test('GIVEN a tampered message WHEN verified THEN it is refused', () => {
    expect(reasonOf(verify(signer.sign(3, task), task.replace('gpu-node-17', 'gpu-node-18')))).toBe('bad-signature');
  });
});

describe('verifyTask: malformed signature strings', () => {
  const good = signer.sign(3, task);
  const b64 = good.slice('vault:v3:'.length);
  // Keys are random per run: make sure the URL-safe case really changes characters ("+" or "/" present).
  const withPlusOrSlash = (() => {
    for (let i = 0; ; i++) {
      const sig = signer.sign(3, `${task}#${i}`).slice('vault:v3:'.length);
      if (/[+/]/.test(sig)) return sig;
    }
  })();
  const cases: [string, string][] = [
    ['an empty string', ''],
    ['no prefix', b64],
    ['an upper-case prefix', `VAULT:v3:${b64}`],
    ['another prefix', `vaulT:v3:${b64}`],
    ['no version', `vault:v:${b64}`],
    ['version 0', `vault:v0:${b64}`],
    ['a leading zero', `vault:v03:${b64}`],
    ['a negative version', `vault:v-3:${b64}`],
    ['a version above 2^31 - 1', `vault:v2147483648:${b64}`],
    ['an 11-digit version', `vault:v30000000000:${b64}`],
    ['a missing "v"', `vault:3:${b64}`],
    ['a space after the prefix', `vault:v3: ${b64}`],
    ['a trailing newline', `${good}\n`],
    ['a leading space', ` ${good}`],
    ['URL-safe base64', `vault:v3:${withPlusOrSlash.replace(/\+/g, '-').replace(/\//g, '_')}`],
    ['missing padding', `vault:v3:${b64.replace(/=+$/, '')}`],
    ['extra padding', `vault:v3:${b64}=`],
    ['a 63-byte signature', `vault:v3:${Buffer.from(b64, 'base64').subarray(0, 63).toString('base64')}`],
    [
      'a 65-byte signature',
      `vault:v3:${Buffer.concat([Buffer.from(b64, 'base64'), Buffer.from([0])]).toString('base64')}`,
    ],
    ['an extra field', `vault:v3:${b64}:x`],
    ['a key name prefix', `vault:gpuaas:v3:${b64}`],
  ];

  test.each(cases)('GIVEN %s WHEN verified THEN it is refused as malformed-signature', (_, sig) => {
    expect(reasonOf(verifyTask(set, task, sig, NOW))).toBe('malformed-signature');
    expect(parseVaultSignature(sig)).toBeUndefined();
  });

  test('GIVEN non-zero trailing bits in the base64 (same bytes, non-canonical text) WHEN verified THEN it is refused', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = b64.length - 3; // 64 bytes: 86 characters + "=="
    const changed = b64.slice(0, last) + alphabet[alphabet.indexOf(b64[last]) | 1] + b64.slice(last + 1);
    expect(Buffer.from(changed, 'base64')).toEqual(Buffer.from(b64, 'base64'));
    expect(reasonOf(verifyTask(set, task, `vault:v3:${changed}`, NOW))).toBe('malformed-signature');
  });

  test.each([undefined, null, 42, {}, ['vault:v3:x'], Buffer.from(good)])(
    'GIVEN a signature %p that is not a string WHEN verified THEN it is refused without throwing',
    (sig) => {
      expect(reasonOf(verifyTask(set, task, sig as never, NOW))).toBe('malformed-signature');
    },
  );

  test('GIVEN the well-formed signature WHEN parsed THEN version and bytes come back', () => {
    const parsed = parseVaultSignature(good)!;
    expect(parsed.version).toBe(3);
    expect(formatVaultSignature(parsed.version, parsed.bytes)).toBe(good);
  });
});

describe('verifyTask: bad inputs never throw', () => {
  const sig = signer.sign(3, task);

  test.each([
    ['an unparsable set text', '{"format":'],
    ['a valid set text with whitespace', JSON.stringify(set, null, 1)],
    ['null', null],
    ['a number', 7],
    ['an object missing keys', { format: 'gpuaas-task-signing-pubkeys/v1', key: 'k' }],
    ['an object with a wrong kid', { ...set, keys: [{ ...set.keys[1], kid: 'x' }] }],
  ])('GIVEN a verifier set that is %s WHEN verifying THEN the result is invalid-verifier-set', (_, s) => {
    const r = verifyTask(s as never, task, sig, NOW);
    expect(reasonOf(r)).toBe('invalid-verifier-set');
    expect(r.ok ? '' : r.detail).not.toBe('');
  });

  test.each([null, 42, { length: 3 }])(
    'GIVEN a message %p of another type WHEN verifying THEN the result is invalid-message',
    (m) => {
      expect(reasonOf(verifyTask(set, m as never, sig, NOW))).toBe('invalid-message');
    },
  );

  test('GIVEN an invalid now or engine WHEN verifying THEN it is a programming error (TypeError)', () => {
    expect(() => verifyTask(set, task, sig, new Date('nope'))).toThrow(TypeError);
    expect(() => verifyTask(set, task, sig, '2026-01-01' as never)).toThrow(TypeError);
    expect(() => verifyTask(set, task, sig, NOW, { engine: 'fast' as never })).toThrow(TypeError);
  });
});
