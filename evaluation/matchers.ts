// Label matchers as operators write them in Alertmanager: `pipeline = intel`,
// `severity =~ "warning|critical"`, `{team != lake, env !~ "dev.*"}`. Pure (safe in workflows).
//
// Alertmanager reads matchers with two parsers: its current UTF-8 parser (matcher/parse: quoted
// values are Go string literals, so `\d` is an error) and its older classic one (pkg/labels:
// `\d` stays a backslash and a d), and by default takes the classic reading when the current one
// fails or when both succeed and disagree. pipewatch accepts only what both read alike, or what
// only the current parser reads (Alertmanager then uses that reading too); anything else is refused
// with the text that means, to both, what Alertmanager would have done. So a matcher pipewatch
// accepts means the same in Alertmanager's default and UTF-8 strict modes.
import { compileRegex } from './regex.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type Labels = Record<string, string>;

const OPS: readonly string[] = ['=', '!=', '=~', '!~'];

/** Parses one matcher (braces allowed); returns an error message instead when it is malformed or holds several. */
export function parseMatcher(text: string): Matcher | string {
  const list = parseMatchers(text);
  if (typeof list === 'string') return list;
  if (list.length === 1) return list[0]!;
  if (list.length === 0)
    return `"${text}" is not a matcher: it holds none; write one like 'pipeline = intel' or 'severity =~ "warning|critical"'`;
  return `"${text}" holds ${list.length} matchers where one is expected; write them one per item: ${list.map((m) => `'${formatMatcher(m)}'`).join(', ')}`;
}

/**
 * Parses a list of matchers, Alertmanager's way: `a=b, c=~"d"` or `{a="b", c=~"d"}`, a trailing
 * comma allowed; "" and "{}" are the empty list. Returns an error message saying what to write
 * instead when the text is not one Alertmanager's parsers agree on.
 */
export function parseMatchers(text: string): Matcher[] | string {
  const current = parseCurrent(text);
  const classic = parseClassic(text);
  let chosen: Matcher[];
  if (typeof current === 'string') {
    if (typeof classic === 'string') return notMatchers(text, current);
    const problem = classic.map(matcherProblem).find((p) => p !== undefined);
    if (problem) return `"${text}": ${problem}`;
    // Valid to the classic parser only: Alertmanager warns and uses that reading. Say how to write it for both.
    return `"${text}" is not a matcher in Alertmanager's current syntax (${current}); its classic parser, which it falls back to, reads ${asText(classic)}: write ${asText(classic)}`;
  } else if (typeof classic !== 'string' && !sameMatchers(current, classic)) {
    return (
      `"${text}" means two things to Alertmanager: ${asText(current)} to its current parser and ${asText(classic)} to its classic one, ` +
      `which it uses when they disagree; write ${asText(classic)} for the classic reading or ${asText(current)} for the current one`
    );
  } else {
    chosen = current;
  }
  for (const m of chosen) {
    const problem = matcherProblem(m);
    if (problem) return `"${text}": ${problem}`;
  }
  return chosen;
}

/** Why a matcher cannot be used (Alertmanager's validateMatcher in UTF-8 mode, RE2 regexes), or undefined. */
export function matcherProblem(m: Matcher): string | undefined {
  if (!OPS.includes(m.op)) return `unknown operator "${String(m.op)}"; use =, !=, =~ or !~`;
  if (typeof m.label !== 'string' || m.label === '')
    return 'a label name cannot be empty; write the label, e.g. pipeline = "intel"';
  if (!wellFormed(m.label)) return `the label name ${JSON.stringify(m.label)} is not valid UTF-8`;
  if (typeof m.value !== 'string' || !wellFormed(m.value))
    return `the label value ${JSON.stringify(m.value)} is not valid UTF-8`;
  if (m.op === '=~' || m.op === '!~') {
    try {
      compileRegex(m.value, { anchored: true });
    } catch (err) {
      return `the regular expression ${JSON.stringify(m.value)} does not compile (${(err as Error).message}); write it in RE2 syntax, or match the text exactly with = or !=`;
    }
  }
  return undefined;
}

/**
 * Alertmanager's text for a matcher (its Matcher.String()): `name="value"` with `\`, `"` and line
 * breaks escaped; a name with a space or one of {}!=~,\"'` is quoted too. Always parses back to the
 * same matcher.
 */
export function formatMatcher(m: Matcher): string {
  if ([...m.label].some(isReserved)) return `${goQuote(m.label)}${m.op}${goQuote(m.value)}`;
  return `${m.label}${m.op}"${m.value.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`;
}

/** A list as Alertmanager prints one: `{a="b",c=~"d"}`; parses back to the same list. */
export function formatMatchers(ms: Matcher[]): string {
  return `{${ms.map(formatMatcher).join(',')}}`;
}

/** A missing label reads as "" (as in Alertmanager); regexes are RE2 and anchored at both ends. */
export function matches(matcher: Matcher, labels: Labels): boolean {
  const value = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return compileRegex(matcher.value, { anchored: true }).test(value);
    case '!~':
      return !compileRegex(matcher.value, { anchored: true }).test(value);
  }
}

export function matchesAll(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels));
}

/**
 * Whether the matcher holds for an alert without the label, as Alertmanager's silences judge it:
 * only `=` and `=~` count (its matchesEmpty), so `a!~"x"` alone still makes a silence.
 */
export function matchesEmpty(m: Matcher): boolean {
  if (m.op === '=') return m.value === '';
  if (m.op === '=~') return compileRegex(m.value, { anchored: true }).test('');
  return false;
}

// ------------------------------------------------------------------ the current (UTF-8) parser

// Alertmanager's matcher/parse grammar: optional braces around matchers separated by commas, each
// `name op value`, name and value either double-quoted Go strings or runs of characters that are
// neither white space nor one of {}!=~,\"'`.

type TokenKind = '{' | '}' | ',' | '=' | '!=' | '=~' | '!~' | 'quoted' | 'unquoted' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  /** Columns (code points) where the token starts and ends, as Alertmanager's messages count. */
  from: number;
  to: number;
}

const WHITE_SPACE = /^\p{White_Space}$/u;

function isReserved(ch: string): boolean {
  return WHITE_SPACE.test(ch) || '{}!=~,\\"\'`'.includes(ch);
}

/** Splits the text into tokens; a character the grammar has no place for ends the list with a message. */
function tokenize(text: string): { tokens: Token[]; error?: { at: number; message: string } } {
  const chars = [...text];
  const tokens: Token[] = [];
  let i = 0;
  const slice = (a: number, b: number) => chars.slice(a, b).join('');
  while (i < chars.length) {
    const ch = chars[i]!;
    const from = i;
    if (ch === '{' || ch === '}' || ch === ',') {
      tokens.push({ kind: ch, text: ch, from, to: ++i });
    } else if (ch === '=' || ch === '!') {
      const next = chars[i + 1];
      if (ch === '!' && next !== '=' && next !== '~') {
        return {
          tokens,
          error: { at: from, message: `${from}:${from + 1}: "!" must be followed by = or ~ (write != or !~)` },
        };
      }
      const kind = (next === '~' || (ch === '!' && next === '=') ? ch + next : ch) as TokenKind;
      i += kind.length;
      tokens.push({ kind, text: kind, from, to: i });
    } else if (ch === '"') {
      i++;
      let escaped = false;
      while (i < chars.length && (escaped || chars[i] !== '"')) {
        escaped = !escaped && chars[i] === '\\';
        i++;
      }
      if (i >= chars.length)
        return {
          tokens,
          error: { at: from, message: `${from}:${i}: ${slice(from, i)}: the quoted text has no closing "` },
        };
      i++;
      tokens.push({ kind: 'quoted', text: slice(from, i), from, to: i });
    } else if (WHITE_SPACE.test(ch)) {
      i++;
    } else if (!isReserved(ch)) {
      while (i < chars.length && !isReserved(chars[i]!)) i++;
      tokens.push({ kind: 'unquoted', text: slice(from, i), from, to: i });
    } else {
      return {
        tokens,
        error: {
          at: from,
          message: `${from}:${from + 1}: ${ch} cannot appear here${ch === '\\' ? ' (escapes work only inside double quotes)' : ''}`,
        },
      };
    }
  }
  return { tokens };
}

/** Alertmanager's current parser; the matchers, or a message with the columns of what went wrong. */
function parseCurrent(text: string): Matcher[] | string {
  const { tokens, error } = tokenize(text);
  let at = 0;
  const end: Token = { kind: 'end', text: '', from: [...text].length, to: [...text].length };
  // Running into the character the tokenizer refused reports that character.
  const peek = (): Token | string => (at < tokens.length ? tokens[at]! : error ? error.message : end);
  const unexpected = (t: Token, wanted: string) =>
    t.kind === 'end'
      ? `${t.from}:${t.to}: the text ends where ${wanted} is expected`
      : `${t.from}:${t.to}: unexpected ${t.text}, expected ${wanted}`;
  const matchers: Matcher[] = [];
  let t = peek();
  if (typeof t === 'string') return t;
  const braced = t.kind === '{';
  if (braced) at++;
  for (;;) {
    t = peek();
    if (typeof t === 'string') return t;
    if (t.kind === 'end' || t.kind === '}') break;
    if (t.kind !== 'quoted' && t.kind !== 'unquoted') return unexpected(t, 'a label name');
    const label = unquote(t);
    if (typeof label !== 'string') return label.problem;
    at++;
    const op = peek();
    if (typeof op === 'string') return op;
    if (!OPS.includes(op.kind)) return unexpected(op, "an operator such as '=', '!=', '=~' or '!~'");
    at++;
    const v = peek();
    if (typeof v === 'string') return v;
    if (v.kind !== 'quoted' && v.kind !== 'unquoted') return unexpected(v, 'a label value (write "" for an empty one)');
    const value = unquote(v);
    if (typeof value !== 'string') return value.problem;
    at++;
    matchers.push({ label, op: op.kind as MatchOp, value });
    const sep = peek();
    if (typeof sep === 'string') return sep;
    if (sep.kind === 'end' || sep.kind === '}') break;
    if (sep.kind !== ',') return unexpected(sep, 'a comma or close brace');
    at++;
    const after = peek();
    if (typeof after === 'string') return after;
    if (after.kind !== 'end' && after.kind !== '}' && after.kind !== 'quoted' && after.kind !== 'unquoted')
      return unexpected(after, 'a matcher or close brace after the comma');
  }
  const close = peek();
  if (typeof close === 'string') return close;
  if (braced) {
    if (close.kind !== '}') return `${close.from}:${close.to}: the { has no closing }`;
    at++;
  } else if (close.kind === '}') {
    return `${close.from}:${close.to}: } without an opening {`;
  }
  const rest = peek();
  if (typeof rest === 'string') return rest;
  if (rest.kind !== 'end') return `${rest.from}:${rest.to}: unexpected ${rest.text} after the end of the matchers`;
  return matchers;
}

/** The text of a token; a quoted one decoded as a Go string literal. */
function unquote(t: Token): string | { problem: string } {
  if (t.kind !== 'quoted') return t.text;
  const decoded = goUnquote(t.text.slice(1, -1));
  return typeof decoded === 'string' ? decoded : { problem: `${t.from}:${t.to}: ${t.text}: ${decoded.problem}` };
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/** A double-quoted Go string literal's body, decoded (strconv.Unquote), or why it is not one. */
function goUnquote(body: string): string | { problem: string } {
  const bytes: number[] = [];
  const chars = [...body];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\n') return { problem: 'a line break inside quotes must be written \\n' };
    if (ch !== '\\') {
      if (!pushUtf8(bytes, ch.codePointAt(0)!)) return { problem: 'not valid UTF-8' };
      continue;
    }
    const e = chars[++i];
    if (e === undefined) return { problem: 'ends with a lone \\' };
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]!);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = chars.slice(i + 1, i + 1 + n).join('');
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) return { problem: `\\${e} needs ${n} hexadecimal digits` };
      i += n;
      const code = parseInt(hex, 16);
      if (e === 'x') bytes.push(code);
      else if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || !pushUtf8(bytes, code))
        return { problem: `\\${e}${hex} is not a Unicode character` };
    } else if (e >= '0' && e <= '7') {
      const oct = chars.slice(i, i + 3).join('');
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255)
        return { problem: `\\${oct} is not an octal escape (three digits up to \\377)` };
      i += 2;
      bytes.push(parseInt(oct, 8));
    } else {
      return {
        problem: `\\${e} is not an escape inside double quotes; write \\\\${e} for a backslash followed by ${e} (e.g. "web-\\\\d+" for the regex web-\\d+)`,
      };
    }
  }
  const text = decodeUtf8(bytes);
  return text ?? { problem: 'the escaped bytes are not valid UTF-8' };
}

function pushUtf8(bytes: number[], cp: number): boolean {
  if (cp >= 0xd800 && cp <= 0xdfff) return false; // a lone surrogate: no UTF-8 for it
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return true;
}

/** Strict UTF-8 decoding (no overlong forms, no surrogates); undefined when the bytes are not UTF-8. */
function decodeUtf8(bytes: number[]): string | undefined {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return undefined;
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 63);
    }
    const min = [0, 0x80, 0x800, 0x10000][n]!;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** Go's strconv.Quote, as Alertmanager prints a quoted label name: printable characters as they are. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else {
      const simple = Object.entries(SIMPLE_ESCAPES).find(([, v]) => v === cp && cp < 32);
      if (simple) out += `\\${simple[0]}`;
      else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

// ------------------------------------------------------------------ the classic parser

// Alertmanager's pkg/labels parser, kept only to know what Alertmanager does with text its current
// parser refuses or reads otherwise. Go's \s is [\t\n\f\r ]; its label names are [a-zA-Z_:][a-zA-Z0-9_:]*.
const CLASSIC = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([\s\S]*?)[\t\n\f\r ]*$/;

function parseClassic(text: string): Matcher[] | string {
  let s = text.startsWith('{') ? text.slice(1) : text;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  let escaped = false;
  for (const ch of s) {
    if (ch === ',' && !quoted) {
      parts.push(part);
      part = '';
      continue;
    }
    if (ch === '"') {
      if (!escaped) quoted = !quoted;
      else escaped = false;
    } else if (ch === '\\') escaped = !escaped;
    else if (ch !== ',') escaped = false;
    part += ch;
  }
  if (part.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '') !== '')
    parts.push(part.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, ''));
  const out: Matcher[] = [];
  for (const p of parts) {
    const m = CLASSIC.exec(p);
    if (!m) return `bad matcher format: ${p}`;
    let raw = m[3]!;
    let expectQuote = false;
    if (raw.startsWith('"')) {
      raw = raw.slice(1);
      expectQuote = true;
    }
    if (!wellFormed(raw)) return `matcher value not valid UTF-8: ${m[3]}`;
    let value = '';
    let esc = false;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (esc) {
        esc = false;
        value += ch === 'n' ? '\n' : ch === '"' || ch === '\\' ? ch : `\\${ch}`;
      } else if (ch === '\\') {
        if (i < raw.length - 1) esc = true;
        else value += '\\';
      } else if (ch === '"') {
        if (!expectQuote || i < raw.length - 1) return `matcher value contains unescaped double quote: ${m[3]}`;
        expectQuote = false;
      } else value += ch;
    }
    if (expectQuote) return `matcher value contains unescaped double quote: ${m[3]}`;
    const matcher: Matcher = { label: m[1]!, op: m[2] as MatchOp, value };
    // Alertmanager compiles the regex while parsing: one that does not compile fails the classic parse.
    const problem = matcher.op === '=~' || matcher.op === '!~' ? matcherProblem(matcher) : undefined;
    if (problem) return problem;
    out.push(matcher);
  }
  return out;
}

// ------------------------------------------------------------------ helpers

function sameMatchers(a: Matcher[], b: Matcher[]): boolean {
  return (
    a.length === b.length && a.every((m, i) => m.label === b[i]!.label && m.op === b[i]!.op && m.value === b[i]!.value)
  );
}

function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function notMatchers(text: string, reason: string): string {
  return `"${text}" is not a matcher (${reason}); write matchers like 'pipeline = intel', 'severity =~ "warning|critical"' or '{team != lake, env !~ "dev.*"}'`;
}

/** Matchers as advice to write: one as it prints, several separated by commas (a list without braces). */
function asText(ms: Matcher[]): string {
  return ms.length === 0 ? '{}' : ms.map(formatMatcher).join(', ');
}
