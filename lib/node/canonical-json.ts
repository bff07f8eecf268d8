/**
 * The canonical text of the wire formats: JSON as Terraform's `jsonencode` renders it, so that what Terraform
 * renders at apply time and what the node side renders are the same bytes.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
const HTML_RE = /[<>&\u2028\u2029]/g;

/**
 * Compact JSON with the object keys sorted at every level (by their UTF-8 bytes, as Go sorts map keys), and
 * `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029` (Terraform's
 * `jsonencode` escapes them). Fields whose value is `undefined` are left out, as `JSON.stringify` does.
 * Throws a TypeError for values JSON cannot carry (non-finite numbers, bigint, functions, cycles deeper than
 * the stack).
 */
export function jsonencodeCanonical(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('jsonencodeCanonical: a number must be finite');
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? 'null' : jsonencodeCanonical(v))).join(',')}]`;
      }
      return `{${Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort(byUtf8)
        .map((k) => `${encodeString(k)}:${jsonencodeCanonical((value as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    default:
      throw new TypeError(`jsonencodeCanonical: a ${typeof value} has no JSON form`);
  }
}

function encodeString(text: string): string {
  return JSON.stringify(text).replace(HTML_RE, (c) => HTML_ESCAPES[c]);
}

// Below U+D800, UTF-16 code unit order is UTF-8 byte order; only surrogates and U+E000.. need the bytes.
const NEEDS_BYTES_RE = /[\ud800-\uffff]/;

function byUtf8(a: string, b: string): number {
  if (NEEDS_BYTES_RE.test(a) || NEEDS_BYTES_RE.test(b)) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
