/**
 * Strict standard base64 (RFC 4648 section 4, with padding). Exactly one text encodes a given byte
 * string: no whitespace, no URL-safe alphabet, no missing padding, and no non-zero bits after the
 * last byte (`AB==` and `AC==` would otherwise decode to the same byte).
 */

/**
 * Decodes canonical standard base64, or returns undefined. With `length`, the decoded size must match.
 * Node's decoder skips unknown characters and accepts the URL-safe alphabet and missing padding;
 * requiring the re-encoding to equal the input refuses all of those, and non-zero trailing bits.
 */
export function decodeBase64Strict(text: unknown, length?: number): Buffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  if (length !== undefined && text.length !== 4 * Math.ceil(length / 3)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (length !== undefined && bytes.length !== length) return undefined;
  if (bytes.toString('base64') !== text) return undefined;
  return bytes;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
