import { TerraformStack, Testing } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';

/** A stack with the Vault provider, as the tests build them. */
export function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VaultProvider(stack, 'vault', {});
  return stack;
}

/** Synthesizes with validations (`Testing.synth(stack, true)`) and parses the JSON. */
export function synthJson(stack: TerraformStack): Record<string, any> {
  return JSON.parse(Testing.synth(stack, true));
}

/** The blocks of one resource (or data source) type, keyed by logical id. */
export function blocks(
  json: Record<string, any>,
  type: string,
  kind: 'resource' | 'data' = 'resource',
): Record<string, any> {
  return json[kind]?.[type] ?? {};
}

/** The single block of a type whose logical id contains `idPart`. */
export function block(
  json: Record<string, any>,
  type: string,
  idPart: string,
  kind: 'resource' | 'data' = 'resource',
): Record<string, any> {
  const found = Object.entries(blocks(json, type, kind)).filter(([id]) => id.includes(idPart));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} with id containing ${idPart}, found ${found.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return found[0][1];
}

/** Logical id of the single block of a type whose id contains `idPart`. */
export function logicalId(json: Record<string, any>, type: string, idPart: string): string {
  const ids = Object.keys(blocks(json, type)).filter((id) => id.includes(idPart));
  if (ids.length !== 1) throw new Error(`expected one ${type} with id containing ${idPart}, found ${ids.join(', ')}`);
  return ids[0];
}

/** Scans synthesized text for private key material and Vault credentials. */
export function secretFindings(text: string): string[] {
  const patterns: Array<[string, RegExp]> = [
    ['PEM private key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/],
    ['Vault token', /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/],
    ['legacy Vault token', /"[sb]\.[A-Za-z0-9]{24}"/],
    ['AppRole secret_id', /secret_id/],
    ['AppRole role_id', /role_id/],
    ['exported key type', /"type":\s*"exported"/],
  ];
  return patterns.filter(([, re]) => re.test(text)).map(([what]) => what);
}
