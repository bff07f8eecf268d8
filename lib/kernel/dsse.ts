/**
 * The DSSE v1 pre-authentication encoding (PAE), the byte string a DSSE signature covers, defined once:
 * `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as ASCII decimal byte counts (of the UTF-8 type and
 * of the body bytes). The node verifies over {@link pae}; the construct renders the same bytes in Terraform from
 * {@link paeParts}, because there the body is only known at apply time. Pure.
 */

/** The PAE's leading literal. */
export const DSSE_PAE_PREFIX = 'DSSEv1';

/** `"DSSEv1" SP len(type) SP type SP`: everything before the body's length. */
export function paeHead(payloadType: string): string {
  return `${DSSE_PAE_PREFIX} ${Buffer.byteLength(payloadType, 'utf8')} ${payloadType} `;
}

/** The PAE of `payload` under `payloadType`. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const head = Buffer.from(paeHead(payloadType), 'utf8');
  return Buffer.concat([head, Buffer.from(`${payload.length} `, 'utf8'), payload]);
}

/**
 * The PAE as text parts to concatenate, for a body known only later (a Terraform expression) with its byte length
 * given separately (for example a `length()` expression, equal to the byte count for ASCII text):
 * `parts.join('')` with the body and its length written out is the PAE of the body's bytes.
 */
export function paeParts(payloadType: string, body: string, bodyLength: string): string[] {
  return [paeHead(payloadType), bodyLength, ' ', body];
}
