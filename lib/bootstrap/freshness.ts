/**
 * What the bootstrap bundle declares for freshness and rollout safety:
 * - the plan-time expiry conditions (the bundle expires neither within the margin nor beyond the validity bound);
 * - one publication record per key version (a KV v2 secret written once, after the bundle that first lists the
 *   version is published: Vault's `created_time` of the record is when nodes could first fetch that version);
 * - for a newly used version, a read of its record at plan time and a condition that it was published at least
 *   the rollout window ago.
 * Internal to BootstrapBundle.
 */
import { Fn, ITerraformDependable, propertyAccess } from 'cdktf';
import { Construct } from 'constructs';
import { DataVaultKvSecretV2 } from '@cdktf/provider-vault/lib/data-vault-kv-secret-v2';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { invalidFreshnessSetting, invalidRevocation } from '../core/errors';
import {
  REVOCATION_METADATA_PREFIX,
  ResolvedFreshness,
  revocationMetadataKey,
  revocationRetentionHours,
  rolloutWindowSeconds,
} from '../kernel/freshness';
import { PLAN_TIME_VARIABLE } from '../core/plan-clock';
import { isToken } from '../core/validation';
import type { VerifierPlan } from '../signing/verifier-set';

function wholeNumber(name: string, value: unknown, min: number, max: number, fix: string): number {
  if (isToken(value) || typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidFreshnessSetting(`${name} must be a whole number from ${min} to ${max}.`, value, fix);
  }
  return value;
}

/** Checks the numbers of the freshness settings and how they relate; `expires` itself is the model's to check. */
export function checkFreshnessSettings(f: ResolvedFreshness): ResolvedFreshness {
  wholeNumber(
    'freshness.maxValidityDays',
    f.maxValidityDays,
    1,
    366,
    'bound the validity (the rule pack allows 90 days by default).',
  );
  wholeNumber(
    'freshness.expiryMarginDays',
    f.expiryMarginDays,
    1,
    f.maxValidityDays - 1,
    `leave time to publish a new bundle before expiry, below maxValidityDays (${f.maxValidityDays}).`,
  );
  if (f.expiryMarginDays * 86400 < 2 * f.refreshHintSeconds) {
    throw invalidFreshnessSetting(
      `freshness.expiryMarginDays (${f.expiryMarginDays} days) is shorter than two refresh hints (${f.refreshHintSeconds} s each): nodes could hold an expired bundle before they see the next one.`,
      f,
      'raise expiryMarginDays or lower refreshHintSeconds.',
    );
  }
  wholeNumber(
    'freshness.rolloutRefreshes',
    f.rolloutRefreshes,
    1,
    100,
    'publish a new key for 3 to 5 refresh intervals before use (default 3).',
  );
  wholeNumber(
    'freshness.rolloutExtraSeconds',
    f.rolloutExtraSeconds,
    0,
    90 * 86400,
    'give the extra wait for offline nodes in seconds (0 for none).',
  );
  if (f.rolloutOverrideReason !== undefined) {
    if (typeof f.rolloutOverrideReason !== 'string' || f.rolloutOverrideReason.trim().length < 20) {
      throw invalidFreshnessSetting(
        'freshness.rolloutOverride needs a reason of at least 20 characters: the plan shows it to the reviewer.',
        f.rolloutOverrideReason,
        'write why activating before every node had the rollout window to fetch the key is acceptable.',
      );
    }
  }
  return f;
}

/** The rollout window in seconds: `refreshes` refresh hints plus the extra wait. */
export function rolloutWindow(f: ResolvedFreshness): number {
  return rolloutWindowSeconds(f.refreshHintSeconds, f.rolloutRefreshes, f.rolloutExtraSeconds);
}

/** The plan's time in an expression (the stack's `plan_time` variable; see PlanClock). */
const NOW = `var.${PLAN_TIME_VARIABLE}`;

/**
 * Preconditions (for the published secret) over the plan's time: the bundle must not expire within the margin, nor
 * more than the validity bound after the plan. `expires` is a literal from code.
 */
export function expiryConditions(f: ResolvedFreshness) {
  const margin = `${f.expiryMarginDays * 24}h`;
  const bound = `${f.maxValidityDays * 24}h`;
  return [
    {
      condition: `\${timecmp("${f.expires}", timeadd(${NOW}, "${margin}")) > 0}`,
      errorMessage: `The bootstrap bundle expires at ${f.expires}, within ${f.expiryMarginDays} days of this plan (plan_time \${${NOW}}). Nodes refuse an expired bundle, and every task while they hold one. Move freshness.expires forward (at most ${f.maxValidityDays} days after the plan) and bump the bundle sequence.`,
    },
    {
      condition: `\${timecmp("${f.expires}", timeadd(${NOW}, "${bound}")) <= 0}`,
      errorMessage: `The bootstrap bundle expires at ${f.expires}, more than ${f.maxValidityDays} days after this plan (plan_time \${${NOW}}): an attacker who blocks updates could keep nodes on this bundle that long. Set freshness.expires at most ${f.maxValidityDays} days ahead.`,
    },
  ];
}

/** A signing key as the rollout sees it. */
export interface RolloutKey {
  /** What the messages call it ("task key", "bundle key"). */
  readonly label: string;
  readonly keyName: string;
  readonly plan?: VerifierPlan;
}

/** Where the publication records go and what the rollout checks compare with. */
export interface RolloutOptions {
  readonly kvMountPath: string;
  readonly recordPrefix: string;
  /** Written after these (the published bundle). */
  readonly after: ITerraformDependable[];
  readonly freshness: ResolvedFreshness;
}

/** The records and, when declared, the plan-time check of one key or of the control-plane roots. */
export interface RolloutParts {
  readonly records: KvSecretV2[];
  readonly check?: DataVaultKvSecretV2;
}

/**
 * A publication record: a KV v2 secret written once after the published bundle, so that Vault's created_time of the
 * record is when nodes could first fetch what it names.
 */
function publicationRecord(scope: Construct, id: string, name: string, data: object, opts: RolloutOptions): KvSecretV2 {
  return new KvSecretV2(scope, id, {
    mount: opts.kvMountPath,
    name,
    dataJson: JSON.stringify(data),
    dependsOn: opts.after,
    lifecycle: { ignoreChanges: ['data_json'] },
  });
}

/**
 * A plan-time read of a publication record with a postcondition that it was written at least the rollout window
 * ago (`subject` was first published at created_time; `use` may happen only a window later), plus `ends`: grace or
 * overlap ends that must leave one more window after that.
 */
function rolloutCheck(
  scope: Construct,
  id: string,
  name: string,
  what: {
    readonly subject: string;
    readonly use: string;
    readonly settled: string;
    readonly firstUse: string;
    readonly retry: string;
  },
  ends: ReadonlyArray<{ readonly what: string; readonly until: string }>,
  opts: RolloutOptions,
): DataVaultKvSecretV2 {
  const f = opts.freshness;
  const window = rolloutWindow(f);
  return new DataVaultKvSecretV2(scope, id, {
    mount: opts.kvMountPath,
    name,
    lifecycle: {
      postcondition: [
        {
          condition: `\${timecmp(timeadd(self.created_time, "${window}s"), ${NOW}) <= 0}`,
          errorMessage: `The ${what.subject} was first published to nodes at \${self.created_time}; ${what.use} only ${window} s later (${f.rolloutRefreshes} refresh hints of ${f.refreshHintSeconds} s plus ${f.rolloutExtraSeconds} s), so that ${what.settled}. This plan is at \${${NOW}}. ${what.retry}`,
        },
        ...ends.map((e) => graceCondition(e.what, e.until, what.firstUse, window)),
      ],
    },
  });
}

/**
 * Declares, under `scope`, a publication record per version 1..latest of the key (`Published<Id>V<n>`), and, unless
 * the active version is 1, the emergency version or overridden, a plan-time read of the active version's record
 * (`Rollout<Id>`) with a postcondition that it was published at least the window ago.
 */
export function declareRollout(scope: Construct, id: string, key: RolloutKey, opts: RolloutOptions): RolloutParts {
  const plan = key.plan;
  if (!plan) return { records: [] };
  const records: KvSecretV2[] = [];
  for (let v = 1; v <= plan.latestVersion; v++) {
    const name = recordName(opts.recordPrefix, key.keyName, v);
    records.push(publicationRecord(scope, `Published${id}V${v}`, name, { key: key.keyName, version: String(v) }, opts));
  }
  const active = plan.activeVersion;
  if (active === 1 || active === plan.emergencyVersion || opts.freshness.rolloutOverrideReason !== undefined) {
    return { records };
  }
  const check = rolloutCheck(
    scope,
    `Rollout${id}`,
    recordName(opts.recordPrefix, key.keyName, active),
    {
      subject: `${key.label} version ${active}`,
      use: 'the control plane may sign with it',
      settled: 'every node holds it first',
      firstUse: `version ${active} could first be activated`,
      retry:
        'Plan the activation again after the window; in an emergency list the compromised version instead (compromised: [...]), or set freshness.rolloutOverride with a reason.',
    },
    plan.versions
      .filter((v) => v.state === 'grace' && v.until !== undefined)
      .map((v) => ({ what: `grace of ${key.label} version ${v.version}`, until: v.until! })),
    opts,
  );
  return { records, check };
}

/** KV name of the publication record of one key version. */
export function recordName(prefix: string, keyName: string, version: number): string {
  return `${prefix}/${keyName}/v${version}`;
}

/** KV name of the publication record of one control-plane root. */
export function rootRecordName(prefix: string, rootName: string): string {
  return `${prefix}/control-plane-root/${rootName}`;
}

/** A control-plane root as the rollout sees it: its name in code and its state in the bundle. */
export interface RolloutRoot {
  readonly name: string;
  readonly state: string;
  /** End of the overlap of a `previous` (or `next`) root. */
  readonly until?: string;
}

/** Construct-id safe form of a root name. */
function idOf(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '-');
}

/**
 * The same for control-plane roots: a publication record per root name the trust keeps (`PublishedRoot-<name>`; a
 * root dropped from the bundle keeps its record), and, while the bundle still lists a `previous` root (the switch
 * phase), a plan-time read of the current root's record (`RolloutRoot`) with a postcondition that nodes have had the
 * rollout window to fetch it as `next` before the control plane serves it. A switch to a root no bundle listed
 * before fails the read. Roots whose names are not literal are skipped.
 */
export function declareRootRollout(
  scope: Construct,
  roots: readonly RolloutRoot[],
  knownNames: readonly string[],
  opts: RolloutOptions,
): RolloutParts {
  const named = roots.filter((r) => typeof r.name === 'string' && !isToken(r.name));
  if (named.length !== roots.length || knownNames.some((n) => isToken(n))) return { records: [] };
  const names = [...new Set([...knownNames, ...named.map((r) => r.name)])].sort();
  const records = names.map((name) =>
    publicationRecord(
      scope,
      `PublishedRoot-${idOf(name)}`,
      rootRecordName(opts.recordPrefix, name),
      { root: name },
      opts,
    ),
  );
  const current = named.find((r) => r.state === 'current');
  const switching = named.some((r) => r.state === 'previous');
  if (!current || !switching || opts.freshness.rolloutOverrideReason !== undefined) return { records };
  const check = rolloutCheck(
    scope,
    'RolloutRoot',
    rootRecordName(opts.recordPrefix, current.name),
    {
      subject: `control-plane root "${current.name}"`,
      use: 'the control plane may serve a certificate from it',
      settled: 'every node trusts it first',
      firstUse: `root "${current.name}" could first be served`,
      retry: 'Plan the switch again after the window, or set freshness.rolloutOverride with a reason.',
    },
    named
      .filter((r) => r.state === 'previous' && r.until !== undefined && !isToken(r.until))
      .map((r) => ({ what: `overlap of the previous root "${r.name}"`, until: r.until! })),
    opts,
  );
  return { records, check };
}

/**
 * A grace or overlap end must leave at least one rollout window after the earliest moment the new version or root
 * could be used (its record's created_time plus the window): otherwise nodes would drop the old one before every
 * node and control-plane instance has moved. Decided from Vault's created_time and the dates in code, so the
 * verdict does not change with the plan's time.
 */
function graceCondition(what: string, until: string, from: string, window: number) {
  return {
    condition: `\${timecmp("${until}", timeadd(self.created_time, "${2 * window}s")) >= 0}`,
    errorMessage: `The ${what} ends at ${until}, less than the rollout window (${window} s) after ${from} (\${timeadd(self.created_time, "${window}s")}). Nodes would drop it before every node and control-plane instance has moved. End it at least ${window} s after that moment.`,
  };
}

/** What the bundle revokes, as written in code. */
export interface RevokedInCode {
  readonly taskKeyVersions: readonly number[];
  readonly bundleKeyVersions: readonly number[];
  /** Literal pins, lower case. */
  readonly rootPins: readonly string[];
}

/**
 * Vault's custom metadata allows 64 keys per secret; the published bundle keeps three of its own and one per revoked
 * item.
 */
export const MAX_REVOKED_ITEMS = 60;

/** The revocation records and the custom metadata entries the published bundle carries for them. */
export interface RevocationParts {
  readonly records: KvSecretV2[];
  /** `revoked:<item>` -> the end of its retention (an expression: the record's created_time plus the frozen hours). */
  readonly metadata: Record<string, string>;
}

/**
 * Declares a revocation record per revoked item (`Revoked-<item>`): a KV v2 secret at
 * `<prefix>/revoked/<task-key|bundle-key>/v<n>` or `<prefix>/revoked/root/<pin>`, written once, before the bundle that
 * revokes the item, with the retention hours in its custom metadata (frozen: later changes to maxValidityDays do not
 * shorten it). Its created_time is the revocation's start; every bundle that trusted the item was planned before it.
 * The published bundle carries `revoked:<item>` = created_time + retention in its custom metadata, which is what a later
 * plan that drops the item compares with (see `retentionConditions`).
 */
export function declareRevocationRecords(
  scope: Construct,
  revoked: RevokedInCode,
  opts: {
    readonly kvMountPath: string;
    readonly recordPrefix: string;
    readonly after?: ITerraformDependable[];
    readonly freshness: ResolvedFreshness;
  },
): RevocationParts {
  const items = [
    ...revoked.taskKeyVersions.map((version) => ({ kind: 'task-key' as const, version })),
    ...revoked.bundleKeyVersions.map((version) => ({ kind: 'bundle-key' as const, version })),
    ...revoked.rootPins.map((pin) => ({ kind: 'root' as const, pin })),
  ];
  if (items.length > MAX_REVOKED_ITEMS) {
    throw invalidRevocation(
      `The bundle lists ${items.length} revoked items; at most ${MAX_REVOKED_ITEMS} fit (Vault keeps each one's retention in the published bundle's custom metadata, 64 keys at most).`,
      items.length,
      'drop revocations whose retention has ended (npm run rotation-status lists them), or rotate the key past them.',
    );
  }
  const hours = String(revocationRetentionHours(opts.freshness.maxValidityDays));
  const records: KvSecretV2[] = [];
  const metadata: Record<string, string> = {};
  for (const item of items) {
    const key = revocationMetadataKey(item);
    const tail = item.kind === 'root' ? `root/${item.pin.toLowerCase()}` : `${item.kind}/v${item.version}`;
    const record = new KvSecretV2(scope, `Revoked-${tail.replace(/[^A-Za-z0-9]/g, '-')}`, {
      mount: opts.kvMountPath,
      name: `${opts.recordPrefix}/revoked/${tail}`,
      dataJson: JSON.stringify({ revoked: key.slice(REVOCATION_METADATA_PREFIX.length) }),
      customMetadata: { data: { retain_hours: hours } },
      dependsOn: opts.after,
      lifecycle: { ignoreChanges: ['data_json', 'custom_metadata'] },
    });
    records.push(record);
    const frozen = propertyAccess(Fn.jsondecode(record.metadata.lookup('custom_metadata')), ['retain_hours']);
    metadata[key] = Fn.timeadd(record.metadata.lookup('created_time'), Fn.format('%sh', [frozen]));
  }
  return { records, metadata };
}

/**
 * The postcondition of the published bundle that keeps revocations listed: every `revoked:<item>` entry of the
 * published custom metadata (what nodes were last told; `self.metadata` holds Vault's values at plan time) that this
 * configuration no longer writes must have reached its retention end by the plan's time. Evaluated again after the
 * apply against what was written, where it holds by construction.
 */
export function retentionConditions() {
  const published = `try(jsondecode(self.metadata["custom_metadata"]), {})`;
  const written = `keys(try(self.custom_metadata[0].data, {}))`;
  const early = (out: string) =>
    `[for k, v in ${published} : ${out} if startswith(k, "${REVOCATION_METADATA_PREFIX}") && !contains(${written}, k) && try(timecmp(${NOW}, v) < 0, true)]`;
  return [
    {
      condition: `\${length(${early('k')}) == 0}`,
      errorMessage: `A revocation is dropped before every bundle that trusted it has expired: \${join(", ", ${early('"${k} (listed until ${v})"')})}. A node that holds such a bundle and missed the revocation would trust the item again. Keep it listed until then (compromised: [...] in taskSigning or bundleSigning, bundle.revokedRootPins); npm run rotation-status says when each may go. This plan is at \${${NOW}}.`,
    },
  ];
}
