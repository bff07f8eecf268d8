/**
 * Pure model of a control-plane CA rotation: which roots the bundle carries, in which state, and
 * which issuer is Vault's default. Constructs translate the result into issuers and bundle entries.
 *
 * A rotation is three one-line changes, each reviewed as a plan:
 * 1. PUBLISH_NEXT: the new root exists and is published as `next`; the old root still issues.
 * 2. SWITCH: the new root becomes the default issuer (`current`); the old root stays in the
 *    bundle as `previous` until `overlapUntil`.
 * 3. DROP_PREVIOUS (after `overlapUntil`): the old root leaves the bundle. It is never deleted
 *    from Vault by this model: it stays declared (see `declared`).
 */
import { duplicate } from '../core/errors';
import { isToken, parseIsoUtc, validateName } from '../core/validation';
import { RootState } from '../node/formats';
import { invalidRotation, overlapNotOver, overlapOver } from './private/errors';

/** Where a CA rotation stands. */
export enum RootRotationPhase {
  /** The next root exists and is published to nodes as `next`; the current root is still the default issuer. */
  PUBLISH_NEXT = 'publish-next',
  /** The next root is the default issuer (`current`); the old root stays published as `previous` until `overlapUntil`. */
  SWITCH = 'switch',
  /** The overlap has ended (`asOf` >= `overlapUntil`): the old root leaves the bundle; it stays in Vault. */
  DROP_PREVIOUS = 'drop-previous',
}

/** A CA rotation declared in code. `T` describes a root (a Vault issuer spec or a PEM). */
export interface RootRotation<T> {
  /** The root that replaces the current one. */
  readonly next: T;
  /**
   * End of the overlap (ISO 8601 UTC): until then nodes trust the old root as `previous` after the switch.
   * Choose it after the last certificate issued by the old root expires.
   */
  readonly overlapUntil: string;
  /** Where the rotation stands. */
  readonly phase: RootRotationPhase;
}

/** Input of `rootSchedule`: roots named by issuer name (or any unique name for PEM roots). */
export interface RootScheduleInput {
  /** The root in use before the rotation (after it completes, the new root goes here). */
  readonly current: string;
  /**
   * A CA rotation in progress, its next root named.
   * @default - no rotation
   */
  readonly rotation?: RootRotation<string>;
  /** Older roots that are kept (declared) but no longer published. */
  readonly retired?: readonly string[];
  /**
   * The date the configuration speaks for (ISO 8601 UTC), written in code.
   * @default - no date checks except that DROP_PREVIOUS requires it
   */
  readonly asOf?: string;
}

/** One root in the bundle. */
export interface ScheduledRoot {
  /** The root's name (issuer name, or the PEM root's name). */
  readonly name: string;
  /** `current`, `next` or `previous`. */
  readonly state: RootState;
  /** End of the overlap for `previous` roots. */
  readonly until?: string;
}

/** What `rootSchedule` decides. */
export interface RootSchedule {
  /** Bundle entries in order: the current root first. */
  readonly roots: readonly ScheduledRoot[];
  /** The root that must be the default issuer (the one `current` in `roots`). */
  readonly defaultRoot: string;
  /** Every root that must exist (current, next, the old root of a rotation, retired), each once. */
  readonly declared: readonly string[];
  /** The root the rotation is moving away from (`current` of the input), when a rotation is declared. */
  readonly outgoing?: string;
}

/**
 * Decides the bundle entries and the default issuer for a rotation phase.
 * Throws when a phase contradicts the dates: dropping before the overlap ends, keeping an expired overlap,
 * or starting a rotation whose overlap is already over.
 */
export function rootSchedule(input: RootScheduleInput): RootSchedule {
  const current = validateName('root name', input.current);
  const retired = (input.retired ?? []).map((r) => validateName('retired root name', r));
  const asOfMs = input.asOf !== undefined && !isToken(input.asOf) ? parseIsoUtc('asOf', input.asOf) : undefined;

  const rotation = input.rotation;
  if (!rotation) {
    assertUnique([current, ...retired]);
    return { roots: [{ name: current, state: 'current' }], defaultRoot: current, declared: [current, ...retired] };
  }

  const next = validateName('next root name', rotation.next);
  if (next === current) {
    throw invalidRotation(
      'The next root has the same name as the current root: a rotation needs a new issuer.',
      next,
      'give the next root its own name (for example "cp-root-2027"); names fix the issuer resource, so they never change.',
    );
  }
  assertUnique([current, next, ...retired]);
  const overlapUntil = rotation.overlapUntil;
  const overlapMs = parseIsoUtc('rotation.overlapUntil', overlapUntil);
  const declared = [current, next, ...retired];

  switch (rotation.phase) {
    case RootRotationPhase.PUBLISH_NEXT:
      if (asOfMs !== undefined && asOfMs >= overlapMs) throw overlapOver(overlapUntil, input.asOf!, rotation.phase);
      return {
        roots: [
          { name: current, state: 'current' },
          { name: next, state: 'next' },
        ],
        defaultRoot: current,
        declared,
        outgoing: current,
      };
    case RootRotationPhase.SWITCH:
      if (asOfMs !== undefined && asOfMs >= overlapMs) throw overlapOver(overlapUntil, input.asOf!, rotation.phase);
      return {
        roots: [
          { name: next, state: 'current' },
          { name: current, state: 'previous', until: overlapUntil },
        ],
        defaultRoot: next,
        declared,
        outgoing: current,
      };
    case RootRotationPhase.DROP_PREVIOUS:
      if (asOfMs === undefined || asOfMs < overlapMs) throw overlapNotOver(overlapUntil, input.asOf);
      return { roots: [{ name: next, state: 'current' }], defaultRoot: next, declared, outgoing: current };
    default:
      throw invalidRotation(
        'Unknown rotation phase.',
        rotation.phase,
        `use RootRotationPhase.PUBLISH_NEXT, SWITCH or DROP_PREVIOUS (${Object.values(RootRotationPhase).join(', ')}).`,
      );
  }
}

function assertUnique(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw duplicate(
        'root name',
        n,
        'each root (current, next, retired) needs its own name: the name fixes the issuer resource address.',
      );
    }
    seen.add(n);
  }
}
