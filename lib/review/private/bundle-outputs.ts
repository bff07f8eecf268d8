/**
 * Which outputs hold a bootstrap bundle, and reading a bundle from an output. Internal to lib/review.
 */
import { BUNDLE_SCHEMA_V1 } from '../../node/formats';
import { PlanChange, attrs } from '../plan-json';
import { Context, outputSide } from './context';

/** A bootstrap bundle (by its schema id). */
export function isBundle(v: unknown): v is Record<string, unknown> {
  const o = attrs(v);
  return !!o && o.schema === BUNDLE_SCHEMA_V1;
}

/** Outputs that hold a bootstrap bundle (by schema id, or the stack's output name). */
export function bundleOutputs(ctx: Context): Array<[string, PlanChange]> {
  return ctx.outputs.filter(
    ([name, c]) => isBundle(outputSide(c, 'before')) || isBundle(outputSide(c, 'after')) || name === 'bootstrap_bundle',
  );
}
