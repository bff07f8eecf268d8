/**
 * `terraform_data`, the engine's built-in resource, declared through cdktf's public `TerraformResource`.
 *
 * cdktf's own `DataResource` adds a construct validation that runs `terraform version` during every synth: a stack
 * that uses it cannot be synthesized without a `terraform` binary on PATH, and spawns one process per resource when
 * there is one. Synthesizing must need no engine binary, so the library declares `terraform_data` itself. The
 * synthesized JSON is the same.
 */
import { ITerraformDependable, TerraformResource, TerraformResourceLifecycle } from 'cdktf';
import { Construct } from 'constructs';

/** What a `terraform_data` holds. */
export interface TerraformDataConfig {
  /** Stored in state and reflected in `output` after apply; a change is an update (or, with `triggersReplace`, not). */
  readonly input: unknown;
  /** Resources this one waits for. Default: none. */
  readonly dependsOn?: ITerraformDependable[];
  /** Lifecycle settings. Default: none. */
  readonly lifecycle?: TerraformResourceLifecycle;
}

/** A `terraform_data` resource (no provider: the engine's built-in one). */
export class TerraformData extends TerraformResource {
  /** The resource type, for addresses such as `replace_triggered_by` entries. */
  public static readonly tfResourceType = 'terraform_data';

  private readonly inputValue: unknown;

  constructor(scope: Construct, id: string, config: TerraformDataConfig) {
    super(scope, id, {
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'terraform' },
      dependsOn: config.dependsOn,
      lifecycle: config.lifecycle,
    });
    this.inputValue = config.input;
  }

  /** The engine's address of this resource: `terraform_data.<logical id>`. */
  public get address(): string {
    return `${TerraformData.tfResourceType}.${this.friendlyUniqueId}`;
  }

  /** The resource's arguments in the synthesized JSON: `input`. */
  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { input: this.inputValue };
  }

  /** The same for cdktf's HCL output. */
  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return { input: { value: this.inputValue, isBlock: false, type: 'simple', storageClassType: 'string' } };
  }
}
