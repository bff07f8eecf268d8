import { Construct } from 'constructs';
import { duplicate, missingConfig } from '../core/errors';
import { Grant, IGrantable } from '../core/grant';
import { isToken, parseIsoUtc, validateName } from '../core/validation';
import { TrustRoot } from '../node/formats';
import { checkRootCertificate, RootCertificateFacts } from './certificates';
import { rootExpiresBeforeOverlapEnd } from './private/errors';
import { RootRotation, RootSchedule, rootSchedule } from './root-schedule';
import { ControlPlaneTrustSource, IControlPlaneTrust } from './types';

/** A root certificate of an existing CA, given in code. */
export interface PemRoot {
  /** A name for the root, unique within this trust (used in messages and rotation). */
  readonly name: string;
  /** PEM of the self-signed root certificate (no intermediates, no private key). */
  readonly pem: string;
}

/** Props of `ControlPlaneTrust.fromCertificatePem`. */
export interface ControlPlaneTrustFromPemProps {
  /** The root the control plane's HTTPS chain ends in today. */
  readonly current: PemRoot;
  /**
   * A CA rotation in progress (the CA operator issues the new root; this only publishes it).
   * @default - no rotation
   */
  readonly rotation?: RootRotation<PemRoot>;
  /**
   * The date the PEMs are checked against (ISO 8601 UTC, from code): every published root must be valid then.
   * Required, so that the check never reads the clock and a second plan shows no changes.
   */
  readonly asOf: string;
}

/** Trust in an existing CA given as PEM (see `ControlPlaneTrust.fromCertificatePem`). */
export class CertificatePemTrust extends Construct implements IControlPlaneTrust {
  /** Always `CERTIFICATE_PEM`: the roots are given in code. */
  public readonly source = ControlPlaneTrustSource.CERTIFICATE_PEM;
  public readonly mountPath = undefined;
  /** What the rotation model decided (bundle entries and states), by root name. */
  public readonly schedule: RootSchedule;
  public readonly roots: readonly TrustRoot[];
  public readonly rootNames: readonly string[];
  /** SPKI pins of `roots`, same order. */
  public readonly pins: readonly string[];
  /** What the checks learned about each published root, same order as `roots`. */
  public readonly facts: readonly RootCertificateFacts[];
  /** The public HTTPS CA bundle: the published roots as one PEM text. */
  public readonly caBundlePem: string;

  constructor(scope: Construct, id: string, props: ControlPlaneTrustFromPemProps) {
    super(scope, id);
    if (props.asOf === undefined || isToken(props.asOf)) {
      throw missingConfig(
        'ControlPlaneTrust.fromCertificatePem needs asOf: the roots are checked against a date from code, never the clock.',
        props.asOf,
        'pass asOf as an ISO 8601 UTC date (for example "2026-03-09T00:00:00Z") and bump it when you review the trust.',
      );
    }
    parseIsoUtc('asOf', props.asOf);
    const byName = new Map<string, PemRoot>([[validateName('current root name', props.current.name), props.current]]);
    if (props.rotation) byName.set(validateName('next root name', props.rotation.next.name), props.rotation.next);
    this.schedule = rootSchedule({
      current: props.current.name,
      rotation: props.rotation && { ...props.rotation, next: props.rotation.next.name },
      asOf: props.asOf,
    });

    const facts = this.schedule.roots.map((r) =>
      checkRootCertificate(`control-plane root "${r.name}"`, byName.get(r.name)!.pem, props.asOf),
    );
    this.schedule.roots.forEach((r, i) => {
      if (r.until !== undefined && Date.parse(facts[i].notAfter) < parseIsoUtc('rotation.overlapUntil', r.until)) {
        throw rootExpiresBeforeOverlapEnd(facts[i].subject, facts[i].notAfter, r.until);
      }
    });
    const seen = new Map<string, string>();
    this.schedule.roots.forEach((r, i) => {
      const other = seen.get(facts[i].pin);
      if (other !== undefined) {
        throw duplicate(
          'control-plane root key',
          [other, r.name],
          'a rotation needs a new key: both roots have the same SubjectPublicKeyInfo pin.',
        );
      }
      seen.set(facts[i].pin, r.name);
    });

    this.facts = facts;
    this.pins = facts.map((f) => f.pin);
    this.rootNames = this.schedule.roots.map((r) => r.name);
    this.roots = this.schedule.roots.map((r, i) => ({
      pem: facts[i].pem,
      state: r.state,
      ...(r.until !== undefined ? { until: r.until } : {}),
    }));
    this.caBundlePem = this.roots.map((r) => r.pem).join('\n');
  }

  /**
   * Adds no rule: the control plane's HTTPS certificate comes from the operator of the existing CA, outside Vault,
   * so there is no Vault path to grant. Returns an empty grant (its `paths` are `[]`), so that a stack treats every
   * `IControlPlaneTrust` alike. The grantee is still checked.
   */
  public grantIssueServerCert(grantee: IGrantable): Grant {
    return Grant.addToPolicy(grantee, 'CertificatePemTrust.grantIssueServerCert', []);
  }
}
