import { ITerraformDependable } from 'cdktf';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { Construct } from 'constructs';
import { validateMountPath } from '../core/validation';

/** A Vault transit secrets engine mount. */
export interface ITransitMount {
  /** Mount path, for example "dev/transit". */
  readonly path: string;
  /** What must exist before keys are created in the mount (empty for an imported mount). */
  readonly dependables: ITerraformDependable[];
}

/** Props of {@link TransitMount}. */
export interface TransitMountProps {
  /** Mount path. Lower-case segments separated by "/". */
  readonly path: string;
  /**
   * Human-readable description shown by Vault.
   * @default "Task signing keys (managed by cdktf-platform-trust)"
   */
  readonly description?: string;
}

/**
 * A transit mount, protected from destroy (destroying a mount destroys every key in it).
 * Use `TransitMount.fromPath` for a mount that exists already and is managed elsewhere.
 */
export class TransitMount extends Construct implements ITransitMount {
  /** A mount managed outside this stack: nothing is created. */
  public static fromPath(path: string): ITransitMount {
    return { path: validateMountPath('transit mount path', path), dependables: [] };
  }

  public readonly path: string;
  public readonly dependables: ITerraformDependable[];
  /** The `vault_mount` resource (main resource). */
  public readonly resource: Mount;

  constructor(scope: Construct, id: string, props: TransitMountProps) {
    super(scope, id);
    this.path = validateMountPath('transit mount path', props.path);
    this.resource = new Mount(this, 'Resource', {
      path: this.path,
      type: 'transit',
      description: props.description ?? 'Task signing keys (managed by cdktf-platform-trust)',
      lifecycle: { preventDestroy: true },
    });
    this.dependables = [this.resource];
  }
}
