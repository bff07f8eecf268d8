/**
 * CIDR validation for AppRole bindings (pure). Vault accepts a CIDR whose host bits are set and silently
 * treats it as its network; this library refuses that, because it is usually a typo for a single host.
 */
import { isToken } from '../../core/validation';
import { invalidCidr } from './errors';

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Validates one CIDR block ("10.20.0.0/16", "10.20.0.7/32", "fd00::/8"): an explicit prefix length, no
 * host bits set, and not a match-everything block. Tokens are accepted unchecked.
 * @returns the block
 */
export function validateCidr(value: string): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidCidr(value, 'it is empty', 'give a block such as "10.20.0.0/16" or "10.20.0.7/32".');
  }
  const slash = value.indexOf('/');
  if (slash < 0) {
    throw invalidCidr(
      value,
      'it has no prefix length',
      `write the prefix length explicitly (for a single host: ${JSON.stringify(`${value}/${value.includes(':') ? 128 : 32}`)}).`,
    );
  }
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  const v4 = parseIpv4(address);
  const v6 = v4 === undefined ? parseIpv6(address) : undefined;
  if (v4 === undefined && v6 === undefined) {
    throw invalidCidr(
      value,
      `${JSON.stringify(address)} is not an IPv4 or IPv6 address`,
      'give a block such as "10.20.0.0/16" or "fd00:10::/64".',
    );
  }
  const bits = v4 !== undefined ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    throw invalidCidr(
      value,
      `the prefix length must be a whole number from 0 to ${bits}`,
      `use for example "${address}/${bits}".`,
    );
  }
  const prefix = Number(prefixText);
  if (prefix === 0) {
    throw invalidCidr(
      value,
      'a /0 block matches every address, so the binding restricts nothing',
      "bind to the control plane's own network, or omit boundCidrs.",
    );
  }
  const n = (v4 ?? v6)!;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((n & hostMask) !== 0n) {
    const network = n & ~hostMask;
    const canonical = `${v4 !== undefined ? formatIpv4(network) : formatIpv6(network)}/${prefix}`;
    throw invalidCidr(
      value,
      'host bits are set after the prefix length',
      `use the network address ${JSON.stringify(canonical)}, or /${bits} for the single host ${JSON.stringify(address)}.`,
    );
  }
  return value;
}

/** Validates a list of CIDR blocks; refuses duplicates. Token elements are accepted unchecked. */
export function validateCidrs(values: readonly string[]): string[] {
  if (!Array.isArray(values)) {
    throw invalidCidr(values, 'boundCidrs must be a list', 'pass an array such as ["10.20.0.0/16"].');
  }
  const seen = new Set<string>();
  for (const v of values) {
    validateCidr(v);
    if (!isToken(v)) {
      if (seen.has(v)) throw invalidCidr(v, 'it is listed twice', 'list each block once.');
      seen.add(v);
    }
  }
  return [...values];
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!IPV4_OCTET.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.includes(':::')) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string) => (s.length === 0 ? [] : s.split(':'));
  const left = groupsOf(halves[0]);
  const right = halves.length === 2 ? groupsOf(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

function formatIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
