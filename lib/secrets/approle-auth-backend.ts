import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { Construct } from 'constructs';
import { validateMountPath } from '../core/validation';
import { mountConflicts } from './private/stack-scan';

/** What an AppRole role needs from its auth mount. */
export interface IAppRoleAuthBackend {
  /** Mount path as written in code (no "auth/" prefix), for policy paths. */
  readonly mountPath: string;
  /**
   * Mount path to reference from resources: a token that orders the role after the mount when the
   * mount is declared in this stack, the plain path for an imported mount.
   */
  readonly path: string;
}

/** Props of {@link AppRoleAuthBackend}. */
export interface AppRoleAuthBackendProps {
  /**
   * Mount path under `auth/`, for example "dev-approle". Changing it replaces the mount, which revokes
   * every token it issued and gives every role a new role_id: the mount is protected from destroy.
   */
  readonly path: string;
  /**
   * Human-readable description.
   * @default "AppRole logins for platform services (cdktf-platform-trust)"
   */
  readonly description?: string;
}

/**
 * An AppRole auth mount (`vault_auth_backend` type approle), protected from destroy. One per
 * PlatformSecrets (see `PlatformSecrets.appRoleBackend`), or declared here and passed to consumers.
 */
export class AppRoleAuthBackend extends Construct implements IAppRoleAuthBackend {
  /** An AppRole mount that exists outside this stack. */
  public static fromPath(path: string): IAppRoleAuthBackend {
    const p = validateMountPath('AppRole mount path', path);
    return { mountPath: p, path: p };
  }

  public readonly mountPath: string;
  public readonly path: string;
  /** The underlying provider resource. */
  public readonly resource: AuthBackend;

  constructor(scope: Construct, id: string, props: AppRoleAuthBackendProps) {
    super(scope, id);
    this.mountPath = validateMountPath('AppRole mount path', props.path);
    this.resource = new AuthBackend(this, 'Resource', {
      type: 'approle',
      path: this.mountPath,
      description: props.description ?? 'AppRole logins for platform services (cdktf-platform-trust)',
      lifecycle: { preventDestroy: true },
    });
    this.path = this.resource.path;
    this.node.addValidation({
      validate: () => mountConflicts(this, this.mountPath, this.resource.node.path, 'vault_auth_backend'),
    });
  }
}
