/**
 * The values Vault checks in a policy's path blocks: the keys a block may hold, the capabilities, wrapping TTLs
 * (read as Vault reads durations), and identity templates in paths. Internal to lib/core.
 */

/** The keys a `path` block may hold; Vault refuses any other. */
export const PATH_BLOCK_KEYS: ReadonlySet<string> = new Set([
  'comment',
  'policy',
  'capabilities',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
]);

/** Capabilities Vault accepts (lower case only). `deny` overrides every other capability of the path. */
export const CAPABILITIES: ReadonlySet<string> = new Set([
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
  'subscribe',
  'recover',
]);

/** True when a value holds a Terraform template sequence: it is known only once Terraform renders the text. */
export const isTemplated = (text: string): boolean => text.includes('${');

const GO_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * A wrapping TTL in seconds, read as Vault reads it: a number is seconds (a fraction is cut off); a string is
 * whole seconds ("90", "+90", "-90"), whole days ("2d"), or a Go duration ("1h30m", "1.5s", ".5h", "-1h");
 * "" is 0. Anything else (a boolean, a list, " 1h", "1H", "1d2h", "1e3") is undefined.
 */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value !== 'string') return undefined;
  if (value === '') return 0;
  if (/^[+-]?[0-9]+$/.test(value)) return Number(value);
  if (value.endsWith('d')) return /^[+-]?[0-9]+d$/.test(value) ? Number(value.slice(0, -1)) * 86400 : undefined;
  const m = /^([+-]?)(.+)$/.exec(value)!;
  if (m[2] === '0') return 0;
  let total = 0;
  let rest = m[2];
  while (rest !== '') {
    const part = /^([0-9]*)(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part || (part[1] === '' && (part[2] ?? '.').length < 2)) return undefined;
    total += Number(`${part[1] || '0'}${part[2] ?? ''}`) * GO_UNITS[part[3]];
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** True when every `{{` in a path is closed by a `}}` before the next `{{` opens (Vault's templating check). */
export function templatesBalanced(path: string): boolean {
  let open = false;
  for (let i = 0; i < path.length - 1; i++) {
    const pair = path.slice(i, i + 2);
    if (pair !== '{{' && pair !== '}}') continue;
    if ((pair === '{{') === open) return false;
    open = !open;
    i++;
  }
  return !open;
}
