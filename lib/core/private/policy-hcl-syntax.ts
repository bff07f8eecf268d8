/**
 * Tokens and syntax tree of the HCL subset Vault policies use: `key = value` attributes and
 * `key "label" { body }` blocks, comments (`#`, `//`, `/* *\/`) and heredoc strings. Internal to lib/core:
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

export function tokenize(src: string): Tok[] {
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
    if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
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
      let out = '';
      let k = i + 1;
      for (;;) {
        if (k >= src.length || src[k] === '\n') fail('unterminated string', i);
        const ch = src[k];
        if (ch === '"') break;
        // A Terraform template sequence (`${...}`, `%{...}`) is kept verbatim, quotes inside it included.
        if ((ch === '$' || ch === '%') && src[k + 1] === '{') {
          let depth = 0;
          let j = k + 1;
          for (; j < src.length && src[j] !== '\n'; j++) {
            if (src[j] === '{') depth++;
            else if (src[j] === '}' && --depth === 0) break;
          }
          if (depth !== 0) fail('unterminated template sequence in a string', k);
          out += src.slice(k, j + 1);
          k = j + 1;
          continue;
        }
        if (ch === '\\') {
          const e = src[k + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' };
          if (e !== undefined && simple[e] !== undefined) {
            out += simple[e];
            k += 2;
            continue;
          }
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(k + 2, k + 6))) {
            out += String.fromCharCode(parseInt(src.slice(k + 2, k + 6), 16));
            k += 6;
            continue;
          }
          fail(`unknown escape "\\${e ?? ''}" in a string`, k);
        }
        out += ch;
        k++;
      }
      push('string', out, startLine, col);
      i = k + 1;
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(i));
      if (!m) fail('malformed heredoc');
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
    if ('{}[]=,:'.includes(c)) {
      push('punct', c, startLine, col);
      i++;
      continue;
    }
    const num = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
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

// ------------------------------------------------------------------ syntax tree

/** A value in the policy text. Objects keep their items in order (keys may repeat). */
export type Value = string | number | boolean | Value[] | ObjectValue;
export interface ObjectValue {
  readonly items: Array<{ key: string; value: Value }>;
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

export class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  public body(end: 'eof' | '}'): Item[] {
    const items: Item[] = [];
    for (;;) {
      const t = this.peek();
      if (end === 'eof' && t.kind === 'eof') return items;
      if (end === '}' && t.kind === 'punct' && t.text === '}') return items;
      if (t.kind === 'punct' && t.text === ',') {
        this.pos++;
        continue;
      }
      items.push(this.item());
    }
  }

  private item(): Item {
    const at = this.next();
    if (at.kind !== 'ident' && at.kind !== 'string') this.fail(at, 'expected a name');
    const key = at.text;
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '=' || t.text === ':')) {
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
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident') {
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      return t.text;
    }
    if (t.kind === 'punct' && t.text === '[') {
      const list: Value[] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.text === ']') {
          this.pos++;
          return list;
        }
        if (p.kind === 'punct' && p.text === ',') {
          this.pos++;
          continue;
        }
        list.push(this.value());
      }
    }
    if (t.kind === 'punct' && t.text === '{') {
      const items: ObjectValue['items'] = [];
      for (;;) {
        const p = this.peek();
        if (p.kind === 'punct' && p.text === '}') {
          this.pos++;
          return { items };
        }
        if (p.kind === 'punct' && p.text === ',') {
          this.pos++;
          continue;
        }
        const k = this.next();
        if (k.kind !== 'ident' && k.kind !== 'string') this.fail(k, 'expected a key');
        const sep = this.next();
        if (sep.kind === 'punct' && (sep.text === '=' || sep.text === ':')) {
          items.push({ key: k.text, value: this.value() });
        } else if (sep.kind === 'punct' && sep.text === '{') {
          // `name { ... }` inside an object: a nested block, read as a map.
          this.pos--;
          items.push({ key: k.text, value: this.value() });
        } else {
          this.fail(sep, 'expected "=" after a key');
        }
      }
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
