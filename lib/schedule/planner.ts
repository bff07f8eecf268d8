/**
 * The rotation planner: from the environment config, its rotation policy, the facts read from Vault and `now`, what
 * is due (pre-publish, activate, retire, renew the bundle, replace an expiring root, drop a revocation that is no
 * longer needed), each with a one-line explanation and the one-line change to the config that a person proposes in
 * a pull request. Pure: no clock (every time is given), no network, no cdktf.
 */
import {
  DEFAULT_BUNDLE_SECRET,
  KeyScheduleConfig,
  ScheduleConfig,
  ScheduleFreshness,
  scheduleFreshness,
} from './config';
import { revocationMetadataKey } from '../kernel/freshness';
import type { KeyFacts, PublishedBundleVersion, VaultFacts } from './facts';
import { RotationPolicy, ResolvedKeyRotationPolicy, ResolvedRotationPolicy, resolveRotationPolicy } from './policy';
import { ceilDay, DAY_MS, daysBetween, floorDay, isoSeconds, parseVaultTime } from './private/time';

/** What is due. */
export type DueKind =
  /** Bump a key's `version` (keep `activeVersion`): the next version is published to nodes before it signs. */
  | 'pre-publish'
  /** Make the pre-published version the active one, the old one in grace: its publication is older than the rollout window. */
  | 'activate'
  /** Drop a grace entry whose end has passed (or a previous root whose overlap has ended). */
  | 'retire'
  /** Move the bundle's `freshness.expires` forward. */
  | 'renew-bundle'
  /** The current control-plane root nears its `not_after`: rotate it (or take the rotation's next step). */
  | 'root-expiring'
  /** Every bundle that trusted a revoked version or root has expired: its revocation may be dropped. */
  | 'revocation-removable'
  /** The code and Vault disagree: a reviewed change is not applied yet (nothing else is proposed for that part). */
  | 'not-applied';

/** How urgent an item is. */
export type Severity = 'soon' | 'due' | 'overdue';

/** What an item is about. */
export type DueSubject = 'task-key' | 'bundle-key' | 'bundle' | 'control-plane-root';

/** One edit of the environment config: a dotted path and its new value. */
export interface ConfigEdit {
  readonly path: string;
  readonly value: unknown;
}

/** The proposed change: one line of TypeScript for the environment config, and the same as edits. */
export interface ProposedChange {
  /** For example `taskSigning: { version: 3, activeVersion: 2 }; bundle.sequence: 8`. */
  readonly text: string;
  readonly edits: readonly ConfigEdit[];
}

/** One thing that is due. */
export interface DueItem {
  readonly kind: DueKind;
  readonly key: DueSubject;
  /** The transit key name, the bundle secret, or the root's subject. */
  readonly name: string;
  readonly severity: Severity;
  /** When it is (or was) due, ISO 8601 UTC. */
  readonly dueAt: string;
  /** One line: what the facts are and why it is due. */
  readonly explanation: string;
  /**
   * The change a person proposes (then reviews as a plan). Absent while there is nothing to change yet: waiting for
   * the rollout window, or a change that is merged but not applied.
   */
  readonly change?: ProposedChange;
}

/** What `planRotations` returns. */
export interface RotationStatus {
  readonly environment: string;
  /** The time the schedule was computed for, ISO 8601 UTC. */
  readonly now: string;
  /** Most urgent first: overdue, due, soon; then by due date. */
  readonly items: readonly DueItem[];
}

/** Exit code of `rotation-status` when nothing is due. */
export const EXIT_NOTHING_DUE = 0;
/** Exit code when something is `soon` (and nothing is due). */
export const EXIT_SOON = 10;
/** Exit code when something is `due` or `overdue`. */
export const EXIT_DUE = 11;

/** The exit code for a list of items: 11 when any is due or overdue, 10 when any is soon, else 0. */
export function statusExitCode(items: readonly DueItem[]): number {
  if (items.some((i) => i.severity !== 'soon')) return EXIT_DUE;
  return items.length ? EXIT_SOON : EXIT_NOTHING_DUE;
}

export interface PlanRotationsInput {
  readonly config: ScheduleConfig;
  readonly facts: VaultFacts;
  /** The time to plan for (the command's clock, or `--now`). */
  readonly now: Date | number;
  /** @default - `config.rotationPolicy` */
  readonly policy?: RotationPolicy;
}

/** A key's schedule as the stack derives it from code (the rules of `planVerifierSet`, without its checks). */
export interface EffectiveKeySchedule {
  readonly version: number;
  readonly active: number;
  readonly compromised: readonly number[];
  /** Grace entries as written, without compromised versions. */
  readonly grace: ReadonlyArray<{ readonly version: number; readonly until: string }>;
}

/**
 * The latest and active version the stack derives from a key's schedule: when the active version is compromised,
 * the key rotates past the highest compromised version and activates that version (see `planVerifierSet`).
 */
export function effectiveKeySchedule(s: KeyScheduleConfig): EffectiveKeySchedule {
  const compromised = [...(s.compromised ?? [])];
  const highest = compromised.length ? Math.max(...compromised) : 0;
  const activeWritten = s.activeVersion ?? s.version;
  const emergency = compromised.includes(activeWritten);
  const version = emergency ? Math.max(s.version, highest + 1) : s.version;
  return {
    version,
    active: emergency ? version : activeWritten,
    compromised,
    grace: (s.grace ?? []).filter((g) => !compromised.includes(g.version)),
  };
}

const RANK: Record<Severity, number> = { overdue: 0, due: 1, soon: 2 };
const PHASE_NAMES: Record<string, string> = {
  'publish-next': 'RootRotationPhase.PUBLISH_NEXT',
  switch: 'RootRotationPhase.SWITCH',
  'drop-previous': 'RootRotationPhase.DROP_PREVIOUS',
};

/** A value as TypeScript source on one line (strings in single quotes; `phase` values as the enum member). */
export function tsLiteral(value: unknown, key?: string): string {
  if (typeof value === 'string') {
    if (key === 'phase' && PHASE_NAMES[value]) return PHASE_NAMES[value];
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => tsLiteral(v)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!fields.length) return '{}';
    const name = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k));
    return `{ ${fields.map(([k, v]) => `${name(k)}: ${tsLiteral(v, k)}`).join(', ')} }`;
  }
  return String(value);
}

function proposal(edits: ConfigEdit[]): ProposedChange {
  return { text: edits.map((e) => `${e.path}: ${tsLiteral(e.value, e.path.split('.').pop())}`).join('; '), edits };
}

/** Severity at `now` of something due at `dueAt` (overdue from `overdueAt`), or undefined when not yet in notice. */
function severityAt(
  now: number,
  dueAt: number,
  overdueAt: number | undefined,
  noticeDays: number,
): Severity | undefined {
  if (overdueAt !== undefined && now >= overdueAt) return 'overdue';
  if (now >= dueAt) return 'due';
  if (now >= dueAt - noticeDays * DAY_MS) return 'soon';
  return undefined;
}

const t = isoSeconds;
const ms = (iso: string | undefined) => parseVaultTime(iso);

/** A key schedule as written in code, in the field order of the docs, without empty members. */
function keyConfig(c: {
  keyName?: string;
  version: number;
  activeVersion?: number;
  grace?: ReadonlyArray<{ version: number; until: string }>;
  compromised?: readonly number[];
}): Record<string, unknown> {
  const grace = c.grace && c.grace.length ? [...c.grace].sort((a, b) => a.version - b.version) : undefined;
  return {
    keyName: c.keyName,
    version: c.version,
    activeVersion: c.activeVersion !== undefined && c.activeVersion !== c.version ? c.activeVersion : undefined,
    grace: grace?.map((g) => ({ version: g.version, until: g.until })),
    compromised: c.compromised && c.compromised.length ? [...c.compromised] : undefined,
  };
}

interface Planner {
  readonly config: ScheduleConfig;
  readonly facts: VaultFacts;
  readonly now: number;
  readonly policy: ResolvedRotationPolicy;
  readonly fresh: ScheduleFreshness;
  /** The sequence every proposal sets: above both the code's and the published one. */
  readonly nextSequence: number;
  readonly items: DueItem[];
}

const sequenceEdit = (p: Planner): ConfigEdit => ({ path: 'bundle.sequence', value: p.nextSequence });

/** The bundle's expiry in code, and whether the code is published. */
function bundleItems(p: Planner): void {
  const b = p.facts.bundle;
  const cfg = p.config.bundle;
  const name = DEFAULT_BUNDLE_SECRET;
  if (!b.exists) {
    p.items.push({
      kind: 'not-applied',
      key: 'bundle',
      name,
      severity: 'due',
      dueAt: t(p.now),
      explanation: 'Vault holds no published bootstrap bundle: apply the stack first.',
    });
    return;
  }
  if (b.sequence !== undefined && b.sequence < cfg.sequence) {
    p.items.push({
      kind: 'not-applied',
      key: 'bundle',
      name,
      severity: 'due',
      dueAt: t(p.now),
      explanation: `the code's bundle sequence ${cfg.sequence} is not published (Vault holds sequence ${b.sequence}): a reviewed change is merged but not applied; apply it.`,
    });
  }
  const expires = ms(p.fresh.expires);
  if (expires === undefined) return;
  const dueAt = expires - p.policy.bundle.renewBeforeDays * DAY_MS;
  const failFrom = expires - p.fresh.expiryMarginDays * DAY_MS;
  const severity = severityAt(p.now, dueAt, failFrom, p.policy.noticeDays);
  if (!severity) return;
  const newExpires = floorDay(p.now) + (p.fresh.maxValidityDays - 1) * DAY_MS;
  const state =
    p.now >= expires
      ? `expired at ${t(expires)}: nodes refuse it, and every task while they hold it`
      : `expires at ${t(expires)} (nodes then refuse it, and every task while they hold it)`;
  const after =
    severity === 'overdue'
      ? `; plans fail from ${t(failFrom)} (expiry margin ${p.fresh.expiryMarginDays} days)`
      : severity === 'due'
        ? `; renew ${p.policy.bundle.renewBeforeDays} days ahead, from ${t(dueAt)}`
        : `; renewal is due from ${t(dueAt)}`;
  p.items.push({
    kind: 'renew-bundle',
    key: 'bundle',
    name,
    severity,
    dueAt: t(dueAt),
    explanation: `the bundle ${state}${after}. The new expiry is at most ${p.fresh.maxValidityDays} days after the plan.`,
    change: proposal([sequenceEdit(p), { path: 'bundle.freshness.expires', value: t(newExpires) }]),
  });
}

/**
 * When every bundle that trusted a revoked item has expired: the latest `expires` among the retained bundles that
 * list it, and, when older versions are no longer retained, the first revoking bundle's time plus the longest
 * validity the plans allow (a bundle published before it expired by then). Never before the retention end that the
 * published bundle records for the item (`ledgerKey`), which is what the plan enforces. Undefined while it cannot be
 * known (the revocation is not published, or a trusting bundle carries no expiry).
 */
function removableFrom(
  p: Planner,
  revokes: (h: PublishedBundleVersion) => boolean,
  trusts: (h: PublishedBundleVersion) => boolean,
  ledgerKey: string,
): { readonly at: number; readonly recorded: boolean } | undefined {
  const history = p.facts.bundle.history;
  const first = history.find(revokes);
  if (!first) return undefined;
  let bound = 0;
  for (const h of history.filter(trusts)) {
    const e = ms(h.expires);
    if (e === undefined) return undefined;
    bound = Math.max(bound, e);
  }
  if (!p.facts.bundle.complete) bound = Math.max(bound, ms(first.createdTime)! + p.fresh.maxValidityDays * DAY_MS);
  const recorded = p.facts.bundle.revocationRetention?.[ledgerKey];
  if (recorded !== undefined) {
    const end = ms(recorded);
    if (end === undefined) return undefined;
    if (end > bound) return { at: end, recorded: true };
  }
  return { at: bound, recorded: false };
}

/** The explanation of a revocation that may be dropped at `from`. */
function removableText(p: Planner, what: string, from: { readonly at: number; readonly recorded: boolean }): string {
  const past = p.now >= from.at;
  const when = from.recorded
    ? `the published bundle keeps it listed until ${t(from.at)} (its first revocation plus the longest validity a plan allowed then; every bundle that trusted it has expired by then)`
    : `the last bundle that trusted it ${past ? 'expired' : 'expires'} at ${t(from.at)}${p.facts.bundle.complete ? '' : ' (older bundle versions are no longer retained: counted with the longest validity)'}`;
  return `${what} is revoked; ${when}: its revocation may be dropped${past ? '' : ' then'}.`;
}

/** Items of one signing key. */
function keyItems(
  p: Planner,
  subject: 'task-key' | 'bundle-key',
  field: 'taskSigning' | 'bundleSigning',
  written: KeyScheduleConfig,
  facts: KeyFacts,
  kp: ResolvedKeyRotationPolicy,
): void {
  const label = subject === 'task-key' ? 'task key' : 'bundle key';
  const name = facts.name;
  const s = effectiveKeySchedule(written);
  const notApplied = (explanation: string, dueAt = p.now) =>
    p.items.push({ kind: 'not-applied', key: subject, name, severity: 'due', dueAt: t(dueAt), explanation });
  if (!facts.exists) return void notApplied(`Vault has no transit key ${name}: apply the stack first.`);
  if (facts.latestVersion < s.version) {
    return void notApplied(
      `the code says v${s.version}, Vault's latest ${label} version is v${facts.latestVersion}: a reviewed change is merged but not applied; apply it.`,
    );
  }
  const activeCreated = ms(facts.created[s.active]);
  if (activeCreated === undefined) {
    return void notApplied(`Vault has no creation time for v${s.active} of the ${label}: apply the stack first.`);
  }
  const change = (c: Parameters<typeof keyConfig>[0]) =>
    proposal([{ path: field, value: keyConfig({ keyName: written.keyName, ...c }) }, sequenceEdit(p)]);
  const notice = p.policy.noticeDays;

  // Grace entries whose end has come.
  for (const g of s.grace) {
    const until = ms(g.until);
    if (until === undefined) continue;
    const severity = severityAt(p.now, until, undefined, notice);
    if (!severity) continue;
    p.items.push({
      kind: 'retire',
      key: subject,
      name,
      severity,
      dueAt: t(until),
      explanation:
        severity === 'soon'
          ? `the grace of v${g.version} ends at ${t(until)}: retire it then (Vault then refuses it too).`
          : `the grace of v${g.version} ended at ${t(until)} (nodes refuse it since): retire it, so that Vault refuses it too (min_decryption_version).`,
      ...(severity === 'soon'
        ? {}
        : {
            change: change({
              version: s.version,
              activeVersion: s.active,
              grace: (written.grace ?? []).filter((x) => x.version !== g.version),
              compromised: written.compromised,
            }),
          }),
    });
  }

  // Revocations no bundle needs any more.
  for (const c of s.compromised) {
    const place = (h: PublishedBundleVersion) => (subject === 'task-key' ? h.taskKey : h.bundleKey);
    const from = removableFrom(
      p,
      (h) => (subject === 'task-key' ? h.revoked.taskKeyVersions : h.revoked.bundleKeyVersions).includes(c),
      (h) => place(h)?.name === name && place(h)!.versions.includes(c),
      revocationMetadataKey({ kind: subject, version: c }),
    );
    if (from === undefined) continue;
    const severity = severityAt(p.now, from.at, undefined, notice);
    if (!severity) continue;
    p.items.push({
      kind: 'revocation-removable',
      key: subject,
      name,
      severity,
      dueAt: t(from.at),
      explanation: removableText(p, `v${c}`, from),
      ...(severity === 'soon'
        ? {}
        : {
            change: change({
              version: s.version,
              activeVersion: s.active,
              grace: (written.grace ?? []).filter((g) => g.version !== c),
              compromised: s.compromised.filter((x) => x !== c),
            }),
          }),
    });
  }

  const rotationDue = activeCreated + kp.rotateEveryDays * DAY_MS;
  const age = daysBetween(activeCreated, p.now);
  if (s.version === s.active) {
    const prePublishAt = rotationDue - kp.prePublishDays * DAY_MS;
    const severity = severityAt(p.now, prePublishAt, rotationDue, notice);
    if (!severity) return;
    p.items.push({
      kind: 'pre-publish',
      key: subject,
      name,
      severity,
      dueAt: t(prePublishAt),
      explanation: `v${s.active} has signed since ${t(activeCreated)} (${age} days; rotate every ${kp.rotateEveryDays}, pre-publish ${kp.prePublishDays} days ahead): ${severity === 'overdue' ? `the rotation was due at ${t(rotationDue)}; pre-publish v${s.version + 1} now` : severity === 'due' ? `pre-publish v${s.version + 1}; it may sign from ${t(rotationDue)}` : `pre-publish v${s.version + 1} from ${t(prePublishAt)}`}.`,
      change: change({
        version: s.version + 1,
        activeVersion: s.version,
        grace: written.grace,
        compromised: written.compromised,
      }),
    });
    return;
  }

  // A pre-published version waits for the rollout window from its first publication.
  const next = s.version;
  const published = ms(facts.published[next]);
  if (published === undefined) {
    return void notApplied(
      `v${next} is in the code and in Vault but has no publication record: the bundle that pre-publishes it is not applied; apply it.`,
    );
  }
  const windowSeconds = p.fresh.rolloutWindowSeconds;
  const windowEnd = published + windowSeconds * 1000;
  const dueAt = Math.max(rotationDue, windowEnd);
  const window = `${windowSeconds} s: ${p.fresh.rolloutRefreshes} refresh hints of ${p.fresh.refreshHintSeconds} s${p.fresh.rolloutExtraSeconds ? ` plus ${p.fresh.rolloutExtraSeconds} s` : ''}`;
  if (p.now < windowEnd) {
    if (!severityAt(p.now, dueAt, undefined, notice)) return;
    p.items.push({
      kind: 'activate',
      key: subject,
      name,
      severity: 'soon',
      dueAt: t(dueAt),
      explanation: `v${next} was first published to nodes at ${t(published)}; its activation is proposed once the rollout window (${window}) has passed, at ${t(windowEnd)}.`,
    });
    return;
  }
  const overdueAt = Math.max(rotationDue + kp.prePublishDays * DAY_MS, windowEnd);
  const severity = severityAt(p.now, dueAt, overdueAt, notice);
  if (!severity) return;
  const laterGrace = Math.max(0, ...(written.grace ?? []).map((g) => ms(g.until) ?? 0));
  const until = t(Math.max(ceilDay(p.now + kp.graceDays * DAY_MS), laterGrace));
  p.items.push({
    kind: 'activate',
    key: subject,
    name,
    severity,
    dueAt: t(dueAt),
    explanation: `v${next} has been published to nodes since ${t(published)} (longer than the rollout window of ${window}) and v${s.active} has signed since ${t(activeCreated)} (${age} days): activate v${next}, v${s.active} in grace until ${until} (${kp.graceDays} days).`,
    change: change({
      version: next,
      grace: [...(written.grace ?? []), { version: s.active, until }],
      compromised: written.compromised,
    }),
  });
}

/** A name for the next root issuer: the current name's stem and a year, not taken by any declared root. */
function nextRootName(current: string, taken: ReadonlySet<string>, now: number): string {
  const stem = current.replace(/-\d{4}$/, '');
  for (let year = new Date(now).getUTCFullYear(); ; year++) {
    const name = `${stem}-${year}`;
    if (!taken.has(name)) return name;
  }
}

/** The control-plane root of the published bundle: nearing its end, a rotation's next step, revoked pins. */
function rootItems(p: Planner): void {
  const history = p.facts.bundle.history;
  const latest = history[history.length - 1];
  if (!latest) return;
  const cpt = p.config.controlPlaneTrust;
  const pem = cpt?.existingCa;
  const ca = pem ? undefined : cpt?.platformCa;
  const rotation = pem ? pem.rotation : ca?.rotation;
  const base = pem ? 'controlPlaneTrust.existingCa' : 'controlPlaneTrust.platformCa';
  const notice = p.policy.noticeDays;
  const label = (r: { subject: string; pin: string }) => `${r.subject} (${r.pin})`;

  const current = latest.roots.find((r) => r.state === 'current');
  const notAfter = current ? ms(current.notAfter) : undefined;
  if (current && notAfter !== undefined) {
    const dueAt = notAfter - p.policy.controlPlaneRoot.warnBeforeDays * DAY_MS;
    const severity = severityAt(p.now, dueAt, notAfter, notice);
    if (severity) {
      const valid = `${p.now >= notAfter ? 'expired' : 'is valid until'} ${t(notAfter)}`;
      let explanation = `the current root ${valid}; rotate it ${p.policy.controlPlaneRoot.warnBeforeDays} days ahead, from ${t(dueAt)}: publish the next root, switch after the rollout window, drop the old one after the overlap.`;
      let change: ProposedChange | undefined;
      const overlapUntil = t(notAfter > p.now ? notAfter : ceilDay(p.now + DAY_MS));
      if (!rotation) {
        if (pem) {
          change = proposal([
            {
              path: `${base}.rotation`,
              value: {
                next: { name: '<name of the new root>', pem: '<PEM of the new root certificate>' },
                overlapUntil,
                phase: 'publish-next',
              },
            },
            sequenceEdit(p),
          ]);
        } else {
          const root = ca?.root ?? { issuerName: `${p.config.name}-control-plane-root` };
          const taken = new Set([root.issuerName, ...(ca?.retiredRoots ?? []).map((r) => r.issuerName)]);
          const value = {
            next: { issuerName: nextRootName(root.issuerName, taken, p.now) },
            overlapUntil,
            phase: 'publish-next',
          };
          change = proposal([
            ca
              ? { path: `${base}.rotation`, value }
              : { path: 'controlPlaneTrust', value: { platformCa: { root, rotation: value } } },
            sequenceEdit(p),
          ]);
        }
      } else if (rotation.phase === 'publish-next') {
        const next = latest.roots.find((r) => r.state === 'next');
        const first = next ? history.find((h) => h.roots.some((r) => r.pin === next.pin)) : undefined;
        const windowEnd = first ? ms(first.createdTime)! + p.fresh.rolloutWindowSeconds * 1000 : undefined;
        if (windowEnd === undefined) {
          explanation = `the current root ${valid}; the code publishes a next root, but the published bundle does not carry it: apply the reviewed change.`;
        } else if (p.now < windowEnd) {
          explanation = `the current root ${valid}; the next root ${label(next!)} was first published at ${t(ms(first!.createdTime)!)}: switch once the rollout window (${p.fresh.rolloutWindowSeconds} s) has passed, at ${t(windowEnd)}.`;
        } else {
          explanation = `the current root ${valid}; the next root ${label(next!)} has been published since ${t(ms(first!.createdTime)!)}: switch to it.`;
          change = proposal([{ path: `${base}.rotation.phase`, value: 'switch' }, sequenceEdit(p)]);
        }
      } else {
        explanation = `the current root ${valid}, and the code still declares the rotation that made it current (phase ${rotation.phase}): finish that rotation (make the next root the root, drop the rotation), then rotate again.`;
      }
      p.items.push({
        kind: 'root-expiring',
        key: 'control-plane-root',
        name: current.subject,
        severity,
        dueAt: t(dueAt),
        explanation: `${label(current)}: ${explanation}`,
        ...(change ? { change } : {}),
      });
    }
  }

  // A previous root whose overlap ends.
  for (const prev of latest.roots.filter((r) => r.state === 'previous')) {
    const until = ms(prev.until);
    if (until === undefined) continue;
    const severity = severityAt(p.now, until, undefined, notice);
    if (!severity) continue;
    const canDrop = severity !== 'soon' && rotation?.phase === 'switch';
    p.items.push({
      kind: 'retire',
      key: 'control-plane-root',
      name: prev.subject,
      severity,
      dueAt: t(until),
      explanation: `${label(prev)}: the overlap of the previous root ${p.now >= until ? 'ended' : 'ends'} at ${t(until)}: drop it from the bundle${severity === 'soon' ? ' then' : ''} (it stays in Vault).`,
      ...(canDrop
        ? {
            change: proposal([
              { path: `${base}.rotation.phase`, value: 'drop-previous' },
              { path: `${base}.asOf`, value: t(p.now) },
              sequenceEdit(p),
            ]),
          }
        : {}),
    });
  }

  // Revoked root pins no bundle needs any more.
  const revoked = (p.config.bundle.revokedRootPins ?? []).map((x) => x.toLowerCase());
  for (const pin of revoked) {
    const from = removableFrom(
      p,
      (h) => h.revoked.rootPins.includes(pin),
      (h) => h.roots.some((r) => r.pin === pin),
      revocationMetadataKey({ kind: 'root', pin }),
    );
    if (from === undefined) continue;
    const severity = severityAt(p.now, from.at, undefined, notice);
    if (!severity) continue;
    p.items.push({
      kind: 'revocation-removable',
      key: 'control-plane-root',
      name: pin,
      severity,
      dueAt: t(from.at),
      explanation: removableText(p, `root ${pin}`, from),
      ...(severity === 'soon'
        ? {}
        : {
            change: proposal([
              { path: 'bundle.revokedRootPins', value: revoked.filter((x) => x !== pin) },
              sequenceEdit(p),
            ]),
          }),
    });
  }
}

/**
 * What is due for an environment. Throws a PlatformTrustError when the rotation policy is invalid (PT029, PT025).
 */
export function planRotations(input: PlanRotationsInput): RotationStatus {
  const now = typeof input.now === 'number' ? input.now : input.now.getTime();
  const config = input.config;
  const fresh = scheduleFreshness(config);
  const policy = resolveRotationPolicy(input.policy ?? config.rotationPolicy, fresh.rolloutWindowSeconds);
  const p: Planner = {
    config,
    facts: input.facts,
    now,
    policy,
    fresh,
    nextSequence: Math.max(config.bundle.sequence, input.facts.bundle.sequence ?? 0) + 1,
    items: [],
  };
  bundleItems(p);
  keyItems(p, 'task-key', 'taskSigning', config.taskSigning, input.facts.taskKey, policy.taskKey);
  keyItems(
    p,
    'bundle-key',
    'bundleSigning',
    config.bundleSigning ?? { version: 1 },
    input.facts.bundleKey,
    policy.bundleKey,
  );
  rootItems(p);
  const items = [...p.items].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0),
  );
  return { environment: config.name, now: t(now), items };
}
