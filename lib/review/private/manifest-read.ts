/**
 * The stack manifest as the explainer reads it: the `platform_trust_manifest` output (see `../manifest.ts`),
 * before and after (an element removed by the plan is named by the old manifest). When the plan has no manifest
 * (a stack from before it, or another composition), every step falls back to its heuristics. Internal to
 * lib/review.
 */
import {
  ElementRole,
  MANIFEST_OUTPUT,
  ManifestEntry,
  OutputRole,
  StackManifest,
  TrustKind,
  parseManifest,
} from '../manifest';
import type { PlanChange } from '../plan-json';
import { actionKind, isUnknown } from '../plan-json';

/** Element roles the explainer looks up; a test checks that the stack emits each of them. */
export const ROLES_READ: readonly ElementRole[] = [
  ElementRole.TRANSIT_KEY,
  ElementRole.KEY_ROTATION,
  ElementRole.BUNDLE_SECRET,
  ElementRole.PKI_MOUNT,
];

/** Output roles the explainer looks up in the manifest; a test checks that the stack lists and emits each. */
export const OUTPUT_ROLES_READ: readonly OutputRole[] = [
  OutputRole.BUNDLE,
  OutputRole.ENVELOPE,
  OutputRole.TASK_VERIFIERS,
  OutputRole.TASK_ACTIVE_VERSION,
  OutputRole.BUNDLE_KEY_ACTIVE_VERSION,
];

/** The manifest of a plan: both sides merged (the new side wins), or undefined when the plan has none. */
export function readManifest(outputs: ReadonlyArray<[string, PlanChange]>): StackManifest | undefined {
  const change = outputs.find(([name]) => name === MANIFEST_OUTPUT)?.[1];
  if (!change) return undefined;
  const before = parseManifest(change.before);
  const after = actionKind(change.actions) === 'delete' || isUnknown(change) ? undefined : parseManifest(change.after);
  if (!before && !after) return undefined;
  return {
    format: (after ?? before)!.format,
    outputs: { ...before?.outputs, ...after?.outputs },
    resources: { ...before?.resources, ...after?.resources },
    // What the code says about the new bundle: the new side only.
    ...(after?.bundle ? { bundle: after.bundle } : {}),
  };
}

/** The manifest entry of an address (an indexed instance `x[0]` is looked up as `x`). */
export function entryAt(manifest: StackManifest | undefined, address: string): ManifestEntry | undefined {
  if (!manifest) return undefined;
  return manifest.resources[address] ?? manifest.resources[address.replace(/\[[^\]]*\]$/, '')];
}

/** The mounts of the PKI mounts the manifest places in `trust`. */
export function pkiMounts(manifest: StackManifest, trust: TrustKind): Set<string> {
  return new Set(
    Object.values(manifest.resources)
      .filter((e) => e.role === ElementRole.PKI_MOUNT && e.trust === trust && e.mount !== undefined)
      .map((e) => e.mount!),
  );
}
