import {
  CheckResult,
  CheckStatus,
  CheckedElement,
  ElementKind,
  EMPTY_CONTEXT,
  StackContext,
} from '../../../lib/checks';
import { buildStackContext } from '../../../lib/checks/private/context';

/** A resource as the rules see it. */
export function resource(type: string, config: Record<string, unknown>, logicalId = 'r'): CheckedElement {
  return element('resource', type, config, logicalId);
}

/** A data source as the rules see it. */
export function data(type: string, config: Record<string, unknown>, logicalId = 'd'): CheckedElement {
  return element('data', type, config, logicalId);
}

export function element(
  kind: ElementKind,
  type: string,
  config: Record<string, unknown>,
  logicalId = 'e',
): CheckedElement {
  const address =
    kind === 'data'
      ? `data.${type}.${logicalId}`
      : kind === 'local'
        ? `local.${logicalId}`
        : kind === 'output'
          ? `output.${logicalId}`
          : `${type}.${logicalId}`;
  return { kind, type, logicalId, address, path: `test/${logicalId}`, config };
}

/** The context of a stack made of these elements. */
export function contextOf(...elements: CheckedElement[]): StackContext {
  return elements.length === 0 ? EMPTY_CONTEXT : buildStackContext(elements);
}

export function statusOf(result: CheckResult): CheckStatus {
  return result.status;
}

/** The details of a non-compliant result (fails the test otherwise). */
export function detailsOf(result: CheckResult): readonly string[] {
  if (result.status !== CheckStatus.NON_COMPLIANT) {
    throw new Error(`expected non-compliant, got ${JSON.stringify(result)}`);
  }
  return result.details;
}

/** A transit key resource with the safe settings TaskSigningKey uses, overridden by `over`. */
export function transitKey(over: Record<string, unknown> = {}, logicalId = 'key'): CheckedElement {
  return resource(
    'vault_transit_secret_backend_key',
    {
      backend: 'transit',
      name: 'node-task-signer',
      type: 'ed25519',
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: false,
      auto_rotate_period: 0,
      lifecycle: { prevent_destroy: true },
      ...over,
    },
    logicalId,
  );
}

/** A PKI role with the bounded client-only settings NodeCertAuthority uses, overridden by `over`. */
export function pkiRole(over: Record<string, unknown> = {}): CheckedElement {
  return resource('vault_pki_secret_backend_role', {
    backend: 'pki-nodes',
    name: 'node-enroll',
    allowed_domains: ['nodes.example.internal'],
    allow_subdomains: true,
    allow_any_name: false,
    server_flag: false,
    client_flag: true,
    ttl: '86400',
    max_ttl: '259200',
    ...over,
  });
}

/** A vault_policy with the given text. */
export function policy(text: string, logicalId = 'p'): CheckedElement {
  return resource('vault_policy', { name: 'consumer', policy: text }, logicalId);
}
