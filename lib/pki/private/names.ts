import { isToken } from '../../core/validation';
import { invalidDnsName } from './errors';

const LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Validates a DNS name used as a certificate domain: lower-case labels of letters, digits and "-",
 * at least two labels, at most 253 characters, no wildcard, no trailing dot. Tokens are accepted unchecked.
 * @returns the name
 */
export function validateDnsName(kind: string, value: string): string {
  if (isToken(value)) return value;
  if (typeof value !== 'string' || value.length === 0) throw invalidDnsName(kind, value, 'it is empty');
  if (value.length > 253) throw invalidDnsName(kind, value, `it is ${value.length} characters long, the limit is 253`);
  if (value.includes('*')) throw invalidDnsName(kind, value, 'it contains a wildcard');
  if (value !== value.toLowerCase()) throw invalidDnsName(kind, value, 'it contains upper-case letters');
  if (value.endsWith('.')) throw invalidDnsName(kind, value, 'it ends with a dot');
  const labels = value.split('.');
  if (labels.length < 2) throw invalidDnsName(kind, value, 'it has a single label');
  for (const label of labels) {
    if (!LABEL_RE.test(label)) {
      throw invalidDnsName(kind, value, `label ${JSON.stringify(label)} is not a valid DNS label`);
    }
  }
  return value;
}
