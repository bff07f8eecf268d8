/**
 * Every string in a synthesized configuration block, with where it is. Pure.
 */

/** One string value and its location inside the block (`provisioner[0].remote-exec.inline[1]`). */
export interface StringAt {
  readonly where: string;
  readonly text: string;
}

/** Every string value under `value`, depth first, in document order. Object keys are not included. */
export function stringsIn(value: unknown, where = ''): StringAt[] {
  const out: StringAt[] = [];
  const walk = (v: unknown, at: string, depth: number) => {
    if (depth > 64) return;
    if (typeof v === 'string') out.push({ where: at || '(value)', text: v });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`, depth + 1));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, at ? `${at}.${k}` : k, depth + 1);
    }
  };
  walk(value, where, 0);
  return out;
}

/** The strings under `value` that contain `marker` (a format or schema id), with where they are. */
export function stringsContaining(value: unknown, marker: string): StringAt[] {
  return stringsIn(value).filter((s) => s.text.includes(marker));
}
