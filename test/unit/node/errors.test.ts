import { NodeTrustError, NodeTrustErrorCode as Code } from '../../../lib/node';

describe('NodeTrustError: the library error shape on the node side', () => {
  test('GIVEN a refused value THEN code, field, problem, received and fix are properties and form the message', () => {
    const e = new NodeTrustError(Code.INVALID_FIELD, 'bundle.sequence', 'must be an integer >= 1', 0);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NodeTrustError');
    expect([e.code, e.field, e.problem, e.received]).toEqual([
      Code.INVALID_FIELD,
      'bundle.sequence',
      'must be an integer >= 1',
      0,
    ]);
    expect(e.fix).toBe(
      'render the value again with the library (BootstrapBundle, TaskSigningKey, BundleSigningKey) instead of editing it by hand',
    );
    expect(e.message).toBe(`[NT002] bundle.sequence: must be an integer >= 1. Received: 0. Fix: ${e.fix}`);
  });

  test('GIVEN a fix THEN it replaces the default one', () => {
    const e = new NodeTrustError(
      Code.KEY_REUSE,
      'bundle.bundle_keys.set.key',
      'is the task key',
      'k',
      'use another key',
    );
    expect(e.message).toBe('[NT015] bundle.bundle_keys.set.key: is the task key. Received: "k". Fix: use another key');
  });

  test('GIVEN a received value that holds secret material THEN the message shows <redacted>, never the value', () => {
    const token = `hvs.${'A1b2C3d4E5'.repeat(3)}`;
    const e = new NodeTrustError(Code.SECRET_MATERIAL, 'bundle.env', 'holds a Vault token', { VAULT_TOKEN: token });
    expect(e.message).toContain('Received: <redacted>.');
    expect(e.message).not.toContain(token);
  });

  test('GIVEN a long value THEN the message shows it shortened', () => {
    const e = new NodeTrustError(Code.MALFORMED, 'value', 'is not JSON', 'x'.repeat(500));
    expect(e.message).toContain(`Received: "${'x'.repeat(76)}...`);
    expect(e.message.length).toBeLessThan(400);
  });
});
