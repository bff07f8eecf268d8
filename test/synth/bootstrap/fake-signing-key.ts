import { ITerraformDependable, TerraformLocal } from 'cdktf';
import { TransitSecretBackendKey } from '@cdktf/provider-vault/lib/transit-secret-backend-key';
import { Construct } from 'constructs';
import { Capability, Grant, IGrantable } from '../../../lib/core';
import { ITaskSigningKey } from '../../../lib/signing/types';
import { VERIFIER_SET } from '../../unit/bootstrap/samples';

export interface FakeSigningKeyProps {
  readonly keyName?: string;
  readonly mountPath?: string;
  readonly activeVersion?: number;
}

/**
 * Test double for ITaskSigningKey in synth tests: it supplies tokens of the right shape (the verifier set
 * JSON through a local, a transit key resource as the dependable). Integration tests use the real TaskSigningKey.
 */
export class FakeSigningKey extends Construct implements ITaskSigningKey {
  public readonly keyName: string;
  public readonly mountPath: string;
  public readonly activeVersion: number;
  public readonly pubkeysJson: string;
  public readonly activeKid: string;
  public readonly signingDependables: ITerraformDependable[];
  public readonly key: TransitSecretBackendKey;

  constructor(scope: Construct, id: string, props: FakeSigningKeyProps = {}) {
    super(scope, id);
    this.keyName = props.keyName ?? 'node-task-signer';
    this.mountPath = props.mountPath ?? 'dev/transit';
    this.activeVersion = props.activeVersion ?? 2;
    this.key = new TransitSecretBackendKey(this, 'Key', {
      backend: this.mountPath,
      name: this.keyName,
      type: 'ed25519',
    });
    this.pubkeysJson = new TerraformLocal(this, 'PubkeysJson', JSON.stringify(VERIFIER_SET)).asString;
    this.activeKid = new TerraformLocal(this, 'ActiveKid', VERIFIER_SET.keys[1].kid).asString;
    this.signingDependables = [this.key];
  }

  public grantSign(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, 'FakeSigningKey.grantSign', [
      { path: `${this.mountPath}/sign/${this.keyName}`, capabilities: [Capability.UPDATE] },
    ]);
  }

  public grantReadPublicKeys(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, 'FakeSigningKey.grantReadPublicKeys', [
      { path: `${this.mountPath}/keys/${this.keyName}`, capabilities: [Capability.READ] },
    ]);
  }
}
