/**
 * DSSE envelopes: the pre-authentication encoding (PAE) that is signed, and strict envelope parsing.
 */
import { decodeBase64Strict } from './private/base64';
import { NodeTrustError, NodeTrustErrorCode as Code } from './errors';
import { expectObject } from './private/json-shape';

/** Longest envelope JSON text accepted. */
export const MAX_ENVELOPE_LENGTH = 2 * 1024 * 1024;
/** Most signatures an envelope may carry. */
export const MAX_ENVELOPE_SIGNATURES = 8;

/** DSSE v1 pre-authentication encoding (defined once in `lib/kernel/dsse.ts`). */
export { pae } from '../kernel/dsse';

/** An envelope whose shape has been checked (signatures not yet verified). */
export interface ParsedEnvelope {
  /** The envelope's `payloadType`, as given (it selects the bundle format when verified). */
  readonly payloadType: string;
  /** Decoded payload bytes. */
  readonly payload: Buffer;
  /** The envelope's signatures (1 to 8), in envelope order. */
  readonly signatures: ReadonlyArray<{
    /** Kid of the key version the signature claims. */
    readonly keyid: string;
    /** Signature text as given (not yet decoded or verified). */
    readonly sig: string;
  }>;
}

/** Internal: an envelope's fields with the payload still as its base64 text. */
export interface EnvelopeFields {
  readonly payloadType: string;
  readonly payloadB64: string;
  readonly signatures: ReadonlyArray<{ readonly keyid: string; readonly sig: string }>;
}

/**
 * Checks an envelope's shape: an object (or its JSON text) with exactly `payloadType` (string),
 * `payload` (canonical standard base64) and `signatures` (1 to 8 objects with exactly a string
 * `keyid` and a string `sig`). Throws a {@link NodeTrustError} otherwise.
 */
export function parseEnvelope(input: unknown): ParsedEnvelope {
  const fields = readEnvelope(input);
  return { payloadType: fields.payloadType, payload: decodePayload(fields.payloadB64), signatures: fields.signatures };
}

/** Internal: decodes the payload text; throws a {@link NodeTrustError} unless it is canonical base64. */
export function decodePayload(payloadB64: string): Buffer {
  const payload = decodeBase64Strict(payloadB64);
  if (!payload)
    throw new NodeTrustError(Code.INVALID_FIELD, 'envelope.payload', 'is not canonical standard base64', payloadB64);
  return payload;
}

/** Internal: {@link parseEnvelope} without decoding the payload. */
export function readEnvelope(input: unknown): EnvelopeFields {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_ENVELOPE_LENGTH) {
      throw new NodeTrustError(
        Code.MALFORMED,
        'envelope',
        `is longer than ${MAX_ENVELOPE_LENGTH} characters`,
        `${input.length} characters`,
      );
    }
    try {
      value = JSON.parse(input);
    } catch {
      throw new NodeTrustError(Code.MALFORMED, 'envelope', 'is not JSON', input);
    }
  }
  const obj = expectObject(value, 'envelope', ['payloadType', 'payload', 'signatures']);
  if (typeof obj.payloadType !== 'string' || obj.payloadType.length > 256) {
    throw new NodeTrustError(Code.INVALID_FIELD, 'envelope.payloadType', `must be a string`, obj.payloadType);
  }
  if (typeof obj.payload !== 'string' || obj.payload.length > MAX_ENVELOPE_LENGTH) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      'envelope.payload',
      'must be a base64 string',
      typeof obj.payload === 'string' ? `${obj.payload.length} characters` : obj.payload,
    );
  }
  const sigs = obj.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0 || sigs.length > MAX_ENVELOPE_SIGNATURES) {
    throw new NodeTrustError(
      Code.INVALID_FIELD,
      'envelope.signatures',
      `must be an array of 1 to ${MAX_ENVELOPE_SIGNATURES} signatures`,
      Array.isArray(sigs) ? `${sigs.length} signatures` : sigs,
    );
  }
  const signatures = sigs.map((s: unknown, i: number) => {
    const o = expectObject(s, `envelope.signatures[${i}]`, ['keyid', 'sig']);
    if (typeof o.keyid !== 'string' || o.keyid.length > 256 || typeof o.sig !== 'string' || o.sig.length > 256) {
      throw new NodeTrustError(
        Code.INVALID_FIELD,
        `envelope.signatures[${i}]`,
        'keyid and sig must be strings of at most 256 characters',
        s,
      );
    }
    return { keyid: o.keyid, sig: o.sig };
  });
  return { payloadType: obj.payloadType, payloadB64: obj.payload, signatures };
}
