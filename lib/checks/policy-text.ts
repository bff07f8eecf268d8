/**
 * A small parser for Vault ACL policy text, enough for the checks: it reads the HCL this library renders
 * (`PolicyDocument.toHcl()`) and hand-written policies (comments, `path "x" { ... }` blocks, lists, nested
 * objects such as `allowed_parameters`, heredocs, the legacy `policy = "write"` form) and JSON policies
 * (`{"path": {"x": {"capabilities": [...]}}}`). Pure; no cdktf import.
 *
 * It is not a full HCL implementation: anything it cannot read is a `PolicyParseError` with a line and
 * column, and the checks report that instead of skipping the policy silently.
 */
import { PolicyStanza } from './types';

/** Policy text the parser could not read. */
export class PolicyParseError extends Error {
  constructor(
    public readonly reason: string,
    public readonly line: number,
    public readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'PolicyParseError';
  }
}

/** Capabilities of the legacy `policy = "<name>"` form, as Vault expands them. */
const LEGACY_POLICY: Readonly<Record<string, readonly string[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** HCL values as far as policies need them. */
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

interface Block {
  readonly type: string;
  readonly labels: string[];
  readonly body: Body;
  readonly line: number;
}

interface Body {
  readonly attributes: Map<string, Value>;
  readonly blocks: Block[];
}

/**
 * Parses policy text into its path stanzas, in document order.
 * @throws PolicyParseError when the text is neither readable HCL nor JSON
 */
export function parsePolicyText(text: string): PolicyStanza[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new PolicyParseError(`it starts with "{" but is not valid JSON (${(e as Error).message})`, 1, 1);
    }
    return stanzasFromJson(doc);
  }
  const body = new Parser(tokenize(text)).parseFile();
  const out: PolicyStanza[] = [];
  for (const block of body.blocks) {
    if (block.type !== 'path') continue;
    if (block.labels.length !== 1) {
      throw new PolicyParseError(`a path block needs exactly one label, found ${block.labels.length}`, block.line, 1);
    }
    out.push(stanzaOf(block.labels[0], bodyToObject(block.body), block.line));
  }
  return out;
}

function stanzasFromJson(doc: unknown): PolicyStanza[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PolicyParseError('a JSON policy must be an object', 1, 1);
  }
  const paths = (doc as Record<string, unknown>).path;
  if (paths === undefined) return [];
  const groups = Array.isArray(paths) ? paths : [paths];
  const out: PolicyStanza[] = [];
  for (const group of groups) {
    if (group === null || typeof group !== 'object' || Array.isArray(group)) {
      throw new PolicyParseError('"path" must map path patterns to objects', 1, 1);
    }
    for (const [path, body] of Object.entries(group as Record<string, unknown>)) {
      const bodies = Array.isArray(body) ? body : [body];
      for (const b of bodies) {
        if (b === null || typeof b !== 'object' || Array.isArray(b)) {
          throw new PolicyParseError(`the body of path ${JSON.stringify(path)} must be an object`, 1, 1);
        }
        out.push(stanzaOf(path, b as Record<string, unknown>, 0));
      }
    }
  }
  return out;
}

function stanzaOf(path: string, body: Readonly<Record<string, unknown>>, line: number): PolicyStanza {
  const capabilities = new Set<string>();
  const caps = body.capabilities;
  if (Array.isArray(caps)) {
    for (const c of caps) if (typeof c === 'string') capabilities.add(c.toLowerCase());
  } else if (typeof caps === 'string') {
    capabilities.add(caps.toLowerCase());
  }
  if (typeof body.policy === 'string') {
    for (const c of LEGACY_POLICY[body.policy.toLowerCase()] ?? []) capabilities.add(c);
  }
  return {
    path,
    capabilities: [...capabilities],
    ...(body.allowed_parameters !== undefined ? { allowedParameters: parameterNames(body.allowed_parameters) } : {}),
    ...(body.denied_parameters !== undefined ? { deniedParameters: parameterNames(body.denied_parameters) } : {}),
    line,
  };
}

function parameterNames(value: unknown): string[] {
  const groups = Array.isArray(value) ? value : [value];
  const names: string[] = [];
  for (const g of groups) {
    if (g !== null && typeof g === 'object' && !Array.isArray(g)) names.push(...Object.keys(g));
  }
  return names;
}

/** Attributes of a block body as a plain object; nested blocks become (lists of) objects. */
function bodyToObject(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of body.attributes) out[k] = v;
  for (const b of body.blocks) {
    const obj = bodyToObject(b.body);
    const existing = out[b.type];
    out[b.type] = existing === undefined ? obj : [...(Array.isArray(existing) ? existing : [existing]), obj];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Tokenizer

const PUNCT = new Set(['{', '}', '[', ']', '=', ':', ',', '(', ')']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number) => at - lineStart + 1;
  const fail = (reason: string, at: number): never => {
    throw new PolicyParseError(reason, line, col(at));
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      // Newlines separate attributes in objects; keep them as punctuation so the parser can use them.
      tokens.push({ kind: 'punct', text: '\n', line, column: col(i) });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = i;
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= text.length) fail('unterminated /* comment', start);
      i += 2;
      continue;
    }
    if (c === '"') {
      const startLine = line;
      const startCol = col(i);
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) fail('unterminated string', i);
        const d = text[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\n') fail('newline inside a quoted string', i);
        if (d === '\\') {
          const e = text[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (e in simple) {
            value += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            fail(`unknown escape "\\${e ?? ''}"`, i);
          }
          continue;
        }
        if ((d === '$' || d === '%') && text[i + 1] === '{') {
          // A template sequence: keep it verbatim, skipping nested braces and strings.
          const end = templateEnd(text, i + 2);
          if (end < 0) fail('unterminated template sequence', i);
          value += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: 'string', text: value, line: startLine, column: startCol });
      continue;
    }
    if (c === '<' && text[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(i));
      if (!m) fail('malformed heredoc', i);
      const [, indent, marker] = m!;
      const startLine = line;
      const startCol = col(i);
      i += m![0].length;
      line++;
      lineStart = i;
      const lines: string[] = [];
      for (;;) {
        if (i >= text.length) fail(`unterminated heredoc (no closing ${marker})`, i);
        let end = text.indexOf('\n', i);
        if (end < 0) end = text.length;
        const content = text.slice(i, end).replace(/\r$/, '');
        i = end;
        if (content.trim() === marker) break;
        lines.push(content);
        if (i < text.length) {
          i++;
          line++;
          lineStart = i;
        }
      }
      let body = lines;
      if (indent === '-') {
        const widths = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
        const cut = widths.length > 0 ? Math.min(...widths) : 0;
        body = lines.map((l) => l.slice(cut));
      }
      tokens.push({ kind: 'string', text: body.join('\n') + '\n', line: startLine, column: startCol });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], line, column: col(i) });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], line, column: col(i) });
      i += m[0].length;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line, column: col(i) });
      i++;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`, i);
  }
  tokens.push({ kind: 'eof', text: '', line, column: col(i) });
  return tokens;
}

/** Index of the "}" closing a template sequence whose body starts at `from`, or -1. */
function templateEnd(text: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// Parser

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  public parseFile(): Body {
    const body = this.parseBody();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(`unexpected ${describe(t)}`, t);
    return body;
  }

  private parseBody(): Body {
    const attributes = new Map<string, Value>();
    const blocks: Block[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'punct' && t.text === '}')) break;
      if (t.kind !== 'ident' && t.kind !== 'string')
        this.fail(`expected an attribute or a block, found ${describe(t)}`, t);
      this.next();
      const after = this.peek();
      if (after.kind === 'punct' && (after.text === '=' || after.text === ':')) {
        this.next();
        attributes.set(t.text, this.parseValue());
        this.expectEndOfLine();
        continue;
      }
      if (t.kind !== 'ident') this.fail(`expected "=" after ${describe(t)}`, after);
      const labels: string[] = [];
      while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().text);
      this.expectPunct('{');
      const body = this.parseBody();
      this.expectPunct('}');
      blocks.push({ type: t.text, labels, body, line: t.line });
      this.expectEndOfLine();
    }
    return { attributes, blocks };
  }

  private parseValue(): Value {
    this.skipNewlines();
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return t.text;
      case 'number':
        return Number(t.text);
      case 'ident':
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        if (t.text === 'null') return null;
        return t.text;
      case 'punct':
        if (t.text === '[') return this.parseList();
        if (t.text === '{') return this.parseObject();
        break;
      default:
        break;
    }
    return this.fail(`expected a value, found ${describe(t)}`, t);
  }

  private parseList(): Value[] {
    const items: Value[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isPunct(']')) {
        this.next();
        return items;
      }
      items.push(this.parseValue());
      this.skipNewlines();
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      if (!this.isPunct(']')) this.fail(`expected "," or "]", found ${describe(this.peek())}`, this.peek());
    }
  }

  private parseObject(): { [key: string]: Value } {
    const out: { [key: string]: Value } = {};
    for (;;) {
      this.skipNewlines();
      if (this.isPunct('}')) {
        this.next();
        return out;
      }
      const key = this.next();
      if (key.kind !== 'string' && key.kind !== 'ident')
        this.fail(`expected an object key, found ${describe(key)}`, key);
      const sep = this.next();
      if (sep.kind !== 'punct' || (sep.text !== '=' && sep.text !== ':')) {
        this.fail(`expected "=" after object key ${JSON.stringify(key.text)}`, sep);
      }
      out[key.text] = this.parseValue();
      if (this.isPunct(',')) this.next();
    }
  }

  private expectEndOfLine(): void {
    const t = this.peek();
    if (t.kind === 'eof' || (t.kind === 'punct' && (t.text === '\n' || t.text === '}' || t.text === ','))) {
      if (t.kind === 'punct' && t.text === ',') this.next();
      return;
    }
    this.fail(`expected a new line, found ${describe(t)}`, t);
  }

  private expectPunct(text: string): void {
    this.skipNewlines();
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) this.fail(`expected "${text}", found ${describe(t)}`, t);
  }

  private skipNewlines(): void {
    while (this.isPunct('\n')) this.pos++;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(reason: string, at: Token): never {
    throw new PolicyParseError(reason, at.line, at.column);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the text';
  if (t.kind === 'punct') return t.text === '\n' ? 'a line break' : `"${t.text}"`;
  if (t.kind === 'string') return `the string ${JSON.stringify(t.text)}`;
  return `${JSON.stringify(t.text)}`;
}
