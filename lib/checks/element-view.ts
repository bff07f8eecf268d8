/**
 * Turns a construct into what the rules read. Public cdktf API only: `TerraformElement.toTerraform()` gives the
 * element's fragment of the Terraform JSON, and `Tokenization.resolve` with cdktf's `DefaultTokenResolver`
 * resolves it exactly as `TerraformStack.toTerraform()` does for `cdk.tf.json` (references become "${...}"
 * expressions, lazy values such as policy text are produced).
 */
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformStack, Tokenization } from 'cdktf';
export { locationsOfFragment, splitLocation, viewsOfFragment } from './json-view';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves a value in the scope of a stack, as synthesis does. */
export function resolveInStack(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** The element's resolved fragment of the stack's Terraform JSON. */
export function resolvedFragment(element: TerraformElement): Record<string, unknown> {
  const fragment = resolveInStack(TerraformStack.of(element), element.toTerraform());
  return fragment !== null && typeof fragment === 'object' ? (fragment as Record<string, unknown>) : {};
}
