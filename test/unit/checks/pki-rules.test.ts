import {
  CaRootPreventDestroy,
  CheckStatus,
  PkiKeyExported,
  PkiRoleAnyName,
  PkiRoleServerAndClient,
  PkiRoleTtlBounds,
} from '../../../lib/checks';
import { contextOf, detailsOf, pkiRole, resource } from './helpers';

const none = contextOf();

describe('PkiRoleAnyName', () => {
  test('GIVEN allow_any_name = true THEN non-compliant', () => {
    expect(detailsOf(PkiRoleAnyName.check(pkiRole({ allow_any_name: true }), none))).toEqual([
      'Role "node-enroll" sets allow_any_name = true',
    ]);
  });
  test('GIVEN false or unset THEN compliant; a token THEN not applicable', () => {
    expect(PkiRoleAnyName.check(pkiRole(), none).status).toBe(CheckStatus.COMPLIANT);
    expect(PkiRoleAnyName.check(pkiRole({ allow_any_name: undefined }), none).status).toBe(CheckStatus.COMPLIANT);
    expect(PkiRoleAnyName.check(pkiRole({ allow_any_name: '${var.any}' }), none).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });
});

describe('PkiRoleTtlBounds', () => {
  test('GIVEN ttl or max_ttl missing, zero, unreadable or out of order THEN non-compliant', () => {
    expect(detailsOf(PkiRoleTtlBounds.check(pkiRole({ ttl: undefined, max_ttl: undefined }), none))).toEqual([
      'Role "node-enroll" does not set ttl; Role "node-enroll" does not set max_ttl',
    ]);
    expect(detailsOf(PkiRoleTtlBounds.check(pkiRole({ max_ttl: '0' }), none))).toEqual([
      'Role "node-enroll" sets max_ttl = "0", which means no bound',
    ]);
    expect(detailsOf(PkiRoleTtlBounds.check(pkiRole({ ttl: 'a day' }), none))).toEqual([
      'Role "node-enroll" sets ttl = "a day", which is not a duration',
    ]);
    expect(detailsOf(PkiRoleTtlBounds.check(pkiRole({ ttl: '96h', max_ttl: '72h' }), none))).toEqual([
      'Role "node-enroll" sets ttl (345600 s) above max_ttl (259200 s)',
    ]);
  });
  test('GIVEN both bounds THEN compliant; GIVEN a token bound THEN not applicable', () => {
    expect(PkiRoleTtlBounds.check(pkiRole(), none).status).toBe(CheckStatus.COMPLIANT);
    expect(PkiRoleTtlBounds.check(pkiRole({ max_ttl: '${var.max}' }), none).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});

describe('PkiRoleServerAndClient', () => {
  test('GIVEN both flags true, or unset (provider default true) THEN non-compliant', () => {
    expect(detailsOf(PkiRoleServerAndClient.check(pkiRole({ server_flag: true }), none))).toEqual([
      'Role "node-enroll" has server_flag and client_flag both true',
    ]);
    expect(
      detailsOf(PkiRoleServerAndClient.check(pkiRole({ server_flag: undefined, client_flag: undefined }), none)),
    ).toEqual([
      'Role "node-enroll" has server_flag and client_flag both true (server_flag and client_flag unset: the provider defaults to true)',
    ]);
  });
  test('GIVEN a client-only role THEN compliant; GIVEN a token flag THEN not applicable', () => {
    expect(PkiRoleServerAndClient.check(pkiRole(), none).status).toBe(CheckStatus.COMPLIANT);
    expect(PkiRoleServerAndClient.check(pkiRole({ server_flag: '${var.server}' }), none).status).toBe(
      CheckStatus.NOT_APPLICABLE,
    );
  });
});

describe('CaRootPreventDestroy', () => {
  const root = (over: Record<string, unknown> = {}) =>
    resource(
      'vault_pki_secret_backend_root_cert',
      { backend: '${vault_mount.pki.path}', type: 'internal', common_name: 'root', issuer_name: 'node-root', ...over },
      'root',
    );
  const mount = (over: Record<string, unknown> = {}) =>
    resource('vault_mount', { path: 'pki-root', type: 'pki', ...over }, 'pki');

  test('GIVEN a root without prevent_destroy THEN non-compliant', () => {
    expect(detailsOf(CaRootPreventDestroy.check(root(), none))).toEqual([
      'Root "node-root" has no lifecycle.prevent_destroy = true',
    ]);
  });
  test('GIVEN the PKI mount that holds a root without prevent_destroy THEN non-compliant', () => {
    const context = contextOf(root(), mount());
    expect(detailsOf(CaRootPreventDestroy.check(mount(), context))).toEqual([
      'PKI mount "pki-root" holds a root and has no lifecycle.prevent_destroy = true',
    ]);
  });
  test('GIVEN prevent_destroy THEN compliant; GIVEN a PKI mount with no root THEN not applicable', () => {
    const protectedRoot = root({ lifecycle: { prevent_destroy: true } });
    const protectedMount = mount({ lifecycle: { prevent_destroy: true } });
    expect(CaRootPreventDestroy.check(protectedRoot, none).status).toBe(CheckStatus.COMPLIANT);
    expect(CaRootPreventDestroy.check(protectedMount, contextOf(protectedRoot, protectedMount)).status).toBe(
      CheckStatus.COMPLIANT,
    );
    expect(CaRootPreventDestroy.check(mount(), contextOf(mount())).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});

describe('PkiKeyExported', () => {
  test('GIVEN a root generated with type exported THEN non-compliant', () => {
    const root = resource('vault_pki_secret_backend_root_cert', { backend: 'pki', type: 'exported', common_name: 'r' });
    expect(detailsOf(PkiKeyExported.check(root, none))).toEqual([
      'vault_pki_secret_backend_root_cert "r" sets type = "exported"',
    ]);
    const csr = resource('vault_pki_secret_backend_intermediate_cert_request', { backend: 'pki', type: 'exported' });
    expect(PkiKeyExported.check(csr, none).status).toBe(CheckStatus.NON_COMPLIANT);
  });
  test('GIVEN type internal THEN compliant; GIVEN a token type THEN not applicable', () => {
    const root = resource('vault_pki_secret_backend_root_cert', { backend: 'pki', type: 'internal', common_name: 'r' });
    expect(PkiKeyExported.check(root, none).status).toBe(CheckStatus.COMPLIANT);
    const token = resource('vault_pki_secret_backend_key', { backend: 'pki', type: '${var.t}' });
    expect(PkiKeyExported.check(token, none).status).toBe(CheckStatus.NOT_APPLICABLE);
  });
});
