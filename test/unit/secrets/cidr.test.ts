import { Token } from 'cdktf';
import { ErrorCode, PlatformTrustError } from '../../../lib/core';
import { validateCidr, validateCidrs } from '../../../lib/secrets/private/cidr';

describe('validateCidr', () => {
  test.each([
    '10.20.0.0/16',
    '10.20.0.7/32',
    '192.168.1.0/24',
    'fd00::/8',
    'fd00:10::/64',
    '2001:db8::1/128',
    '::ffff:10.0.0.0/104',
  ])('accepts %p', (cidr) => {
    expect(validateCidr(cidr)).toBe(cidr);
  });

  test.each([
    ['', 'it is empty'],
    ['10.20.0.7', 'it has no prefix length'],
    ['10.20.0.0/33', 'from 0 to 32'],
    ['10.20.0.0/016', 'from 0 to 32'],
    ['fd00::/129', 'from 0 to 128'],
    ['10.20.300.0/24', 'is not an IPv4 or IPv6 address'],
    ['010.20.0.0/16', 'is not an IPv4 or IPv6 address'],
    // Legacy inet_aton forms that some parsers (and Go's older net package) read as 127.0.0.1: refused.
    ['0x7f.1/32', 'is not an IPv4 or IPv6 address'],
    ['127.1/32', 'is not an IPv4 or IPv6 address'],
    ['0177.0.0.1/32', 'is not an IPv4 or IPv6 address'],
    ['2130706433/32', 'is not an IPv4 or IPv6 address'],
    ['fd00:::1/64', 'is not an IPv4 or IPv6 address'],
    ['control-plane/32', 'is not an IPv4 or IPv6 address'],
    ['0.0.0.0/0', 'restricts nothing'],
    ['::/0', 'restricts nothing'],
    ['10.20.0.7/16', 'host bits are set'],
    ['fd00::1/64', 'host bits are set'],
  ])('refuses %p: %s', (cidr, reason) => {
    expect(() => validateCidr(cidr)).toThrow(reason);
    try {
      validateCidr(cidr);
    } catch (e) {
      expect((e as PlatformTrustError).code).toBe(ErrorCode.INVALID_CIDR);
    }
  });

  test('the message gives the network address and the single-host form', () => {
    expect(() => validateCidr('10.20.0.7/16')).toThrow(
      '[PT020] Invalid CIDR block in boundCidrs: host bits are set after the prefix length. Received: "10.20.0.7/16". Fix: use the network address "10.20.0.0/16", or /32 for the single host "10.20.0.7".',
    );
    expect(() => validateCidr('fd00:10::1/64')).toThrow('use the network address "fd00:10::/64"');
  });

  test('skips tokens', () => {
    const token = Token.asString({ Ref: 'cidr' });
    expect(validateCidr(token)).toBe(token);
    expect(validateCidrs([token, '10.0.0.0/8'])).toEqual([token, '10.0.0.0/8']);
  });

  test('refuses a block listed twice', () => {
    expect(() => validateCidrs(['10.0.0.0/8', '10.0.0.0/8'])).toThrow('it is listed twice');
  });
});
