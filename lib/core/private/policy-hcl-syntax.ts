/**
 * Tokens and syntax tree of Vault policy text in HCL v1, the language Vault parses policies with: `key = value`
 * attributes and `key "label" ... { body }` blocks, lists (elements separated by commas), objects, strings with
 * HCL v1 escapes, heredocs, numbers (decimal, octal with a leading 0, hex) and comments (`#`, `//`, `/* *\/`).
 * A key set twice with `=` in one body is refused, as Vault refuses it; blocks may repeat. Internal to lib/core:
 * `parsePolicy` (policy-hcl-parse.ts) turns the tree into rules.
 */
import { invalidPolicyText } from '../policy-hcl-types';

// ------------------------------------------------------------------ tokens

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

export interface Tok {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** `json`: the tokens of the JSON form (`:` separates keys; no comments or heredocs; the same escapes). */
export function tokenize(src: string, mode: 'hcl' | 'json' = 'hcl'): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (reason: string, at = i): never => {
    throw invalidPolicyText(reason, line, at - lineStart + 1, src.slice(at, at + 24));
  };
  const push = (kind: TokenKind, text: string, startLine: number, startCol: number) => {
    toks.push({ kind, text, line: startLine, column: startCol });
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (mode === 'hcl' && (c === '#' || (c === '/' && src[i + 1] === '/'))) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (mode === 'hcl' && c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated /* comment');
      for (let k = i; k < end; k++) {
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const col = i - lineStart + 1;
    const startLine = line;
    if (c === '"') {
      const { text, end, newlines } = readString(src, i, fail);
      push('string', text, startLine, col);
      if (newlines.length) {
        line += newlines.length;
        lineStart = newlines[newlines.length - 1] + 1;
      }
      i = end;
      continue;
    }
    if (mode === 'hcl' && c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(i));
      if (!m) fail('malformed heredoc (<<ANCHOR, then a new line)');
      const [whole, indent, marker] = m!;
      let k = i + whole.length;
      line++;
      lineStart = k;
      const lines: string[] = [];
      for (;;) {
        if (k >= src.length) fail(`heredoc "${marker}" is not closed`, i);
        const nl = src.indexOf('\n', k);
        const raw = src.slice(k, nl < 0 ? src.length : nl).replace(/\r$/, '');
        k = nl < 0 ? src.length : nl + 1;
        if (raw.trim() === marker) break;
        lines.push(raw);
        line++;
        lineStart = k;
      }
      let body = lines;
      if (indent === '-') {
        const widths = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
        const cut = widths.length ? Math.min(...widths) : 0;
        body = lines.map((l) => l.slice(cut));
      }
      push('string', body.length ? `${body.join('\n')}\n` : '', startLine, col);
      line++;
      lineStart = k;
      i = k;
      continue;
    }
    if ('{}[],'.includes(c) || (c === '=' && mode === 'hcl') || (c === ':' && mode === 'json')) {
      push('punct', c, startLine, col);
      i++;
      continue;
    }
    const num = /^-?(0[xX][0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(src.slice(i));
    if (num) {
      push('number', num[0], startLine, col);
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(src.slice(i));
    if (id) {
      push('ident', id[0], startLine, col);
      i += id[0].length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  toks.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return toks;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

/**
 * A quoted string from `start` (the opening quote). HCL v1 rules: a new line ends the string with an error,
 * except inside a `${ ... }` template sequence, which is kept verbatim (quotes inside it included); escapes are
 * \a \b \f \n \r \t \v \" \\, three octal digits, \x and two hex digits, \u and four, \U and eight.
 */
function readString(
  src: string,
  start: number,
  fail: (reason: string, at?: number) => never,
): { text: string; end: number; newlines: number[] } {
  let out = '';
  let k = start + 1;
  const newlines: number[] = [];
  for (;;) {
    if (k >= src.length || src[k] === '\n') fail('unterminated string', start);
    const ch = src[k];
    if (ch === '"') return { text: out, end: k + 1, newlines };
    if (ch === '$' && src[k + 1] === '{') {
      let depth = 0;
      let j = k + 1;
      for (; j < src.length; j++) {
        if (src[j] === '\n') newlines.push(j);
        if (src[j] === '{') depth++;
        else if (src[j] === '}' && --depth === 0) break;
      }
      if (depth !== 0) fail('unterminated template sequence in a string', k);
      out += src.slice(k, j + 1);
      k = j + 1;
      continue;
    }
    if (ch === '\\') {
      const e = src[k + 1] ?? '';
      if (SIMPLE_ESCAPES[e] !== undefined) {
        out += SIMPLE_ESCAPES[e];
        k += 2;
        continue;
      }
      const forms: [string, RegExp, number][] = [
        ['u', /^u([0-9a-fA-F]{4})/, 16],
        ['U', /^U([0-9a-fA-F]{8})/, 16],
        ['x', /^x([0-9a-fA-F]{2})/, 16],
        ['0', /^([0-7]{3})/, 8],
      ];
      const form = forms.find(([lead]) => lead === e || (lead === '0' && /[0-7]/.test(e)));
      const m = form && form[1].exec(src.slice(k + 1));
      const code = m ? parseInt(m[1], form![2]) : NaN;
      if (!m || code > 0x10ffff) fail(`unknown escape "\\${e}" in a string`, k);
      out += String.fromCodePoint(code);
      k += 1 + m![0].length;
      continue;
    }
    out += ch;
    k++;
  }
}

// ------------------------------------------------------------------ syntax tree

/** A value in the policy text. Objects keep their items in order (blocks may repeat a key). */
export type Value = string | number | boolean | Value[] | ObjectValue;
export interface ObjectValue {
  readonly items: Item[];
}
/** One body item: an attribute (`key = value`) or a block (`key "label" ... { body }`). */
export type Item =
  | { readonly type: 'attribute'; readonly key: string; readonly value: Value; readonly at: Tok }
  | {
      readonly type: 'block';
      readonly key: string;
      readonly labels: string[];
      readonly body: Item[];
      readonly at: Tok;
    };

/** The value of a number token, read as HCL v1 reads it (hex, octal with a leading 0, decimal). */
export function numberValue(t: Tok, fail: (t: Tok, reason: string) => never): number {
  const neg = t.text.startsWith('-');
  const digits = neg ? t.text.slice(1) : t.text;
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (/^0[0-9]+$/.test(digits)) {
    if (/[89]/.test(digits)) fail(t, 'an octal number has a digit 8 or 9');
    n = parseInt(digits, 8);
  } else n = Number(digits);
  return neg ? -n : n;
}

export class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  /** The whole text: items up to the end. */
  public document(): Item[] {
    return this.body('eof');
  }

  private body(end: 'eof' | '}'): Item[] {
    const items: Item[] = [];
    const assigned = new Set<string>();
    for (;;) {
      const t = this.peek();
      if (end === 'eof' && t.kind === 'eof') return items;
      if (end === '}' && t.kind === 'punct' && t.text === '}') return items;
      if (t.kind === 'punct' && t.text === ',') {
        this.pos++;
        continue;
      }
      const item = this.item();
      if (item.type === 'attribute') {
        if (assigned.has(item.key)) this.fail(item.at, `"${item.key}" is set twice; each argument can be set once`);
        assigned.add(item.key);
      }
      items.push(item);
    }
  }

  private item(): Item {
    const at = this.next();
    if (at.kind !== 'ident' && at.kind !== 'string') this.fail(at, 'expected a name');
    const key = at.text;
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '=') {
      this.pos++;
      return { type: 'attribute', key, value: this.value(), at };
    }
    const labels: string[] = [];
    while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().text);
    this.expect('{');
    const body = this.body('}');
    this.expect('}');
    return { type: 'block', key, labels, body, at };
  }

  private value(): Value {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return numberValue(t, (x, r) => this.fail(x, r));
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'punct' && t.text === '[') {
      const list: Value[] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.text === ']') {
          this.pos++;
          return list;
        }
        list.push(this.value());
        const sep = this.peek();
        if (sep.kind === 'punct' && sep.text === ',') this.pos++;
        else if (!(sep.kind === 'punct' && sep.text === ']')) this.fail(sep, 'expected "," or "]" in a list');
      }
    }
    if (t.kind === 'punct' && t.text === '{') {
      const items = this.body('}');
      this.expect('}');
      return { items };
    }
    return this.fail(t, 'expected a value');
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) this.fail(t, `expected "${text}"`);
  }

  private peek(): Tok {
    return this.toks[this.pos];
  }

  private next(): Tok {
    const t = this.toks[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(t: Tok, reason: string): never {
    throw invalidPolicyText(
      `${reason}, found ${t.kind === 'eof' ? 'the end of the text' : JSON.stringify(t.text)}`,
      t.line,
      t.column,
      t.text,
    );
  }
}
