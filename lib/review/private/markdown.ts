/**
 * Markdown helpers of the renderer: every value taken from the plan goes through `code`, `cell`, `plain` or
 * `message`, so names in a plan cannot add HTML, links or table cells to the comment. Internal to lib/review.
 */
import type { RootView, VerifierView } from '../explanation';

/** Inline code that cannot break out of its backticks or its table cell. */
export function code(text: string): string {
  return `\`${text
    .replace(/`/g, "'")
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|')}\``;
}

export function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
}

/** Escapes text that goes into Markdown outside code spans: no HTML, links, code, table breaks or line breaks. */
export function plain(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`[\]<>|])/g, '\\$1');
}

/** Replaces `x` spans in a message built by the explainer with sanitised code spans. */
export function message(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length >= 2 ? code(part.slice(1, -1)) : plain(part),
    )
    .join('');
}

export const v = (n: number | undefined) => (n === undefined ? 'none' : `v${n}`);

export function verifierCell(view: VerifierView | undefined): string {
  if (!view) return '—';
  if (view.state === 'grace') {
    if (view.until) return `grace until ${view.until}`;
    if (view.untilUnknown) return 'grace (end date known after apply)';
  }
  return view.until ? `${view.state} until ${view.until}` : view.state;
}

export function rootCell(view: RootView | undefined): string {
  if (!view) return '—';
  return view.until ? `${view.state} until ${view.until}` : view.state;
}
