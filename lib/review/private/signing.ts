/**
 * Signing: the envelope output (unknown in a plan: signed during apply), the apply-time signature resources, and
 * anything signed while planning, which must never happen (signatures are made during apply, after review). A `vault_transit_sign` data source is read
 * during every plan whose input is known, so its mere presence is a loud warning. Internal to lib/review.
 */
import type { ApplyTimeSignatureChange, EnvelopeChange, PlanWarning, SigningReview } from '../explanation';
import { WarningKind } from '../explanation';
import { PlanChange, actionKind, attrs, isUnknown, str } from '../plan-json';
import { OutputRole } from '../manifest';
import { Context, Entry, byString, configResources, outputName, outputSide } from './context';

const SIGN_DATA_SOURCE = 'vault_transit_sign';
const SIGN_PATH_RE = /^(.+)\/sign\/([^/]+)$/;

/**
 * An apply-time signature resource: a `vault_generic_endpoint` writing `<mount>/sign/<key>` (read by its
 * attributes, not its logical id) that never deletes anything in Vault (`disable_delete`).
 */
export function isApplyTimeSigner(e: Entry): boolean {
  if (e.type !== 'vault_generic_endpoint' || e.mode === 'data') return false;
  const path = str(e.after, 'path') ?? str(e.before, 'path');
  return !!path && SIGN_PATH_RE.test(path) && (e.before ?? e.after)?.disable_delete === true;
}

function isEnvelope(v: unknown): v is { signatures: unknown[] } {
  const o = attrs(v);
  return !!o && typeof o.payloadType === 'string' && Array.isArray(o.signatures);
}

function envelopeOutputs(ctx: Context): Array<[string, PlanChange]> {
  const named = outputName(ctx, OutputRole.ENVELOPE);
  return ctx.outputs.filter(
    ([name, c]) => name === named || isEnvelope(outputSide(c, 'before')) || isEnvelope(outputSide(c, 'after')),
  );
}

function keyPathOf(e: Entry): string {
  const v = e.after ?? e.before;
  return `${str(v, 'path') ?? '?'}/keys/${str(v, 'name') ?? '?'}`;
}

/** The envelope outputs that change, and a loud warning for every signature made (or to be made) while planning. */
export function explainSigning(ctx: Context): SigningReview {
  const envelopes: EnvelopeChange[] = [];
  const alerts: PlanWarning[] = [];
  for (const [output, c] of envelopeOutputs(ctx)) {
    const action = actionKind(c.actions);
    if (action === 'no-op') continue;
    if (action === 'delete') {
      envelopes.push({ output, action, signed: 'removed' });
      continue;
    }
    if (isUnknown(c) || c.after === undefined || c.after === null) {
      envelopes.push({ output, action, signed: 'apply' });
      continue;
    }
    envelopes.push({ output, action, signed: 'plan' });
    const after = outputSide(c, 'after');
    const count = isEnvelope(after) ? after.signatures.length : 0;
    if (count > 0) {
      alerts.push({
        kind: WarningKind.SIGNED_IN_PLAN,
        subject: output,
        message: `the new envelope is already in the plan with ${count} signature${count === 1 ? '' : 's'}: it was signed while planning, before review. Envelopes must be signed during apply.`,
      });
    }
  }

  // `vault_transit_sign` data sources: declared in the configuration (or, without one, in the plan at all).
  const configured = configResources(ctx.plan);
  const declared = (address: string) =>
    !ctx.plan.configuration || configured.some((r) => r.address === address.replace(/\[[^\]]*\]$/, ''));
  for (const e of ctx.all.filter((x) => x.mode === 'data' && x.type === SIGN_DATA_SOURCE)) {
    if (e.rc) {
      alerts.push({
        kind: WarningKind.SIGNING_DATA_SOURCE,
        subject: e.address,
        message: `signs with \`${keyPathOf(e)}\` through a data source: this plan reads it during apply only because its input is not known yet, but every plan whose input is known signs while planning, before review. Sign during apply, in a managed resource.`,
      });
    } else if (declared(e.address)) {
      alerts.push({
        kind: WarningKind.SIGNED_IN_PLAN,
        subject: e.address,
        message: `was read during this plan: Vault signed with \`${keyPathOf(e)}\` while planning, before anyone reviewed the change. Sign during apply, in a managed resource, and keep \`sign\` out of the plan identity's policy.`,
      });
    }
  }
  const order = [WarningKind.SIGNED_IN_PLAN, WarningKind.SIGNING_DATA_SOURCE];
  alerts.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || byString(a.subject, b.subject));

  // Apply-time signature resources: they sign during apply (a replacement signs again, and deletes nothing).
  const signatures: ApplyTimeSignatureChange[] = ctx.managed
    .filter((e) => e.kind !== 'no-op' && isApplyTimeSigner(e))
    .map((e) => {
      const m = SIGN_PATH_RE.exec(str(e.after, 'path') ?? str(e.before, 'path') ?? '')!;
      return { address: e.address, action: e.kind, keyPath: `${m[1]}/keys/${m[2]}` };
    });
  return { envelopes, signatures, alerts };
}
