/**
 * Verifier sets (`gpuaas-task-signing-pubkeys/v1`) before and after: from the output when it is known, else from
 * a schedule output, else derived from the floors and rotation resources. The same views serve the bundle key
 * set, which has the same shape. Internal to lib/review.
 */
import { PUBKEYS_FORMAT_V1 } from '../../node/formats';
import type { Floors, KeyRotation, VerifierSetChange, VerifierView } from '../explanation';
import { WarningKind } from '../explanation';
import { actionKind, attrs, wholeNumber } from '../plan-json';
import { ElementRole, OutputRole, SigningKeyKind } from '../manifest';
import { Context, outputName, outputSide, tick } from './context';

/** A task verifier set (format `gpuaas-task-signing-pubkeys/v1`). */
export function isVerifierSet(v: unknown): v is { key?: unknown; keys: unknown[] } {
  const o = attrs(v);
  return !!o && o.format === PUBKEYS_FORMAT_V1 && Array.isArray(o.keys);
}

/** The versions of a key set as the reviewer sees them, by version. */
export function verifierViews(set: { keys: unknown[] }): VerifierView[] {
  return set.keys
    .map((k) => attrs(k))
    .filter((k): k is Record<string, unknown> => !!k && wholeNumber(k.version) !== undefined)
    .map((k) => ({
      version: wholeNumber(k.version)!,
      state: typeof k.state === 'string' ? k.state : '?',
      ...(typeof k.until === 'string' ? { until: k.until } : {}),
      ...(typeof k.kid === 'string' ? { kid: k.kid } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

function publicKeys(set: { keys: unknown[] }): Map<number, string> {
  const m = new Map<number, string>();
  for (const k of set.keys) {
    const o = attrs(k);
    const v = wholeNumber(o?.version);
    if (v !== undefined && typeof o?.public_key === 'string') m.set(v, o.public_key);
  }
  return m;
}

/**
 * Verifier set outputs (recognised by their format id, or by "pubkeys" in the name) that change. When the new
 * value is unknown in the plan, the states come from a schedule output if there is one, else from the floors and
 * rotation resources (grace end dates are then unknown).
 */
export function explainVerifierSets(ctx: Context, keys: readonly KeyRotation[]): VerifierSetChange[] {
  // With a manifest: the task verifier output by its name, and the task key by its role. Without: an output whose
  // name mentions pubkeys, and the only transit key of the plan (the fallback heuristics).
  const taskOutput = ctx.manifest ? outputName(ctx, OutputRole.TASK_VERIFIERS) : undefined;
  const namesVerifiers = (name: string) => (taskOutput !== undefined ? name === taskOutput : /pubkeys/i.test(name));
  const taskKey = ctx.manifest
    ? Object.values(ctx.manifest.resources).find(
        (e) => e.role === ElementRole.TRANSIT_KEY && e.key === SigningKeyKind.TASK,
      )?.name
    : keys.length === 1
      ? keys[0].key
      : undefined;
  const schedules = ctx.outputs
    .map(([, c]) => attrs(outputSide(c, 'after')))
    .filter((o): o is Record<string, unknown> => !!o && typeof o.key === 'string' && Array.isArray(o.versions));
  const out: VerifierSetChange[] = [];
  for (const [name, c] of ctx.outputs) {
    const kind = actionKind(c.actions);
    const before = outputSide(c, 'before');
    const after = outputSide(c, 'after');
    if (kind === 'no-op' || !(isVerifierSet(before) || isVerifierSet(after) || namesVerifiers(name))) continue;
    const keyName =
      (isVerifierSet(before) && typeof before.key === 'string' ? before.key : undefined) ??
      (isVerifierSet(after) && typeof after.key === 'string' ? after.key : undefined) ??
      (!ctx.manifest || namesVerifiers(name) ? taskKey : undefined);
    let afterViews: VerifierView[] | undefined;
    let afterSource: VerifierSetChange['afterSource'] = 'none';
    let derivedFrom: VerifierSetChange['derivedFrom'];
    const schedule = schedules.find((s) => s.key === keyName);
    const key = keys.find((k) => k.key === keyName);
    if (isVerifierSet(after)) {
      afterViews = verifierViews(after);
      afterSource = 'output';
      if (isVerifierSet(before)) warnChangedPublicKeys(ctx, name, keyName, before, after);
    } else if (kind !== 'delete' && schedule) {
      afterViews = scheduleViews(schedule.versions as unknown[]);
      afterSource = 'schedule';
    } else if (kind !== 'delete' && key?.floors?.after && key.latestAfter !== undefined) {
      derivedFrom = { floors: key.floors.after, latest: key.latestAfter };
      afterViews = deriveVerifierSet(derivedFrom.floors, derivedFrom.latest);
      afterSource = 'derived';
    }
    out.push({
      output: name,
      ...(keyName ? { key: keyName } : {}),
      action: kind,
      ...(isVerifierSet(before) ? { before: verifierViews(before) } : {}),
      ...(afterViews ? { after: afterViews } : {}),
      afterSource,
      ...(derivedFrom ? { derivedFrom } : {}),
    });
  }
  return out;
}

/**
 * The verifier set the schedule model gives for these floors: versions below the signing floor are grace (their
 * end dates live in code), the signing floor is active, and the latest version above it is next.
 */
export function deriveVerifierSet(f: Floors, latest: number): VerifierView[] {
  const views: VerifierView[] = [];
  for (let v = f.minDecryptionVersion; v <= latest; v++) {
    if (v < f.minEncryptionVersion) views.push({ version: v, state: 'grace', untilUnknown: true });
    else if (v === f.minEncryptionVersion) views.push({ version: v, state: 'active' });
    else if (v === latest) views.push({ version: v, state: 'next' });
  }
  return views;
}

function scheduleViews(versions: unknown[]): VerifierView[] {
  return versions
    .map((x) => attrs(x))
    .filter((x): x is Record<string, unknown> => !!x && wholeNumber(x.version) !== undefined)
    .map((x) => ({
      version: wholeNumber(x.version)!,
      state: typeof x.state === 'string' ? x.state : '?',
      ...(typeof x.until === 'string' ? { until: x.until } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

function warnChangedPublicKeys(
  ctx: Context,
  output: string,
  keyName: string | undefined,
  before: { keys: unknown[] },
  after: { keys: unknown[] },
): void {
  const pb = publicKeys(before);
  for (const [v, pk] of publicKeys(after)) {
    if (pb.has(v) && pb.get(v) !== pk) {
      ctx.warnings.push({
        kind: WarningKind.PUBLIC_KEY_CHANGED,
        subject: output,
        message: `version ${v} of \`${keyName ?? '?'}\` has a different public key after this plan: the key was replaced, and nodes reject tasks signed by the old key material.`,
      });
    }
  }
}

const stateText = (v: { state: string; until?: string }) => `${v.state}${v.until ? ` until ${v.until}` : ''}`;

/** Per-version differences of a key set: added, removed, state, end date or kid changed. */
export function keySetDiff(before: readonly VerifierView[] = [], after: readonly VerifierView[] = []): string[] {
  const out: string[] = [];
  const b = new Map(before.map((v) => [v.version, v]));
  const a = new Map(after.map((v) => [v.version, v]));
  for (const [version, v] of a) {
    const old = b.get(version);
    const kid = v.kid ? ` (${tick(v.kid)})` : '';
    if (!old) out.push(`v${version} added as ${tick(stateText(v))}${kid}`);
    else {
      if (stateText(old) !== stateText(v)) out.push(`v${version} ${tick(stateText(old))} → ${tick(stateText(v))}`);
      if (old.kid && v.kid && old.kid !== v.kid) {
        out.push(`v${version} kid ${tick(old.kid)} → ${tick(v.kid)} (another public key)`);
      }
    }
  }
  for (const [version, v] of b) if (!a.has(version)) out.push(`v${version} removed (was ${tick(stateText(v))})`);
  return out.sort();
}
