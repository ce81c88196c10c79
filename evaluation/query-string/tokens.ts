// The query_string tokens, cut as Lucene's classic query parser (QueryParser.jj) lexes them:
// operators (AND, OR, NOT, + -, && ||), "phrases", /regexps/, ranges with their own lexical
// state, terms with escapes and wildcards, boosts and the fuzzy ~ (refused by the parser). Pure.
import { QuerySyntaxError } from './queries.js';

export type Kind =
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'PLUS'
  | 'MINUS'
  | 'BAREOPER'
  | 'LPAREN'
  | 'RPAREN'
  | 'COLON'
  | 'STAR'
  | 'CARAT'
  | 'QUOTED'
  | 'TERM'
  | 'FUZZY_SLOP'
  | 'PREFIXTERM'
  | 'WILDTERM'
  | 'REGEXPTERM'
  | 'RANGEIN_START'
  | 'RANGEEX_START'
  | 'NUMBER'
  | 'RANGE_TO'
  | 'RANGEIN_END'
  | 'RANGEEX_END'
  | 'RANGE_QUOTED'
  | 'RANGE_GOOP'
  | 'EOF';

export interface Token {
  kind: Kind;
  image: string;
  at: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\u3000']);
const NOT_TERM_START = new Set([
  ...WHITESPACE,
  '+',
  '-',
  '!',
  '(',
  ')',
  ':',
  '^',
  '[',
  ']',
  '"',
  '{',
  '}',
  '~',
  '*',
  '?',
  '\\',
  '/',
]);
const isTermChar = (c: string) => !NOT_TERM_START.has(c) || c === '-' || c === '+';

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let p = 0;
  const push = (kind: Kind, image: string, at: number) => out.push({ kind, image, at });
  while (p < text.length) {
    const c = text[p]!;
    if (WHITESPACE.has(c)) {
      p++;
      continue;
    }
    const at = p;
    if (c === '(' || c === ')' || c === ':') {
      push(c === '(' ? 'LPAREN' : c === ')' ? 'RPAREN' : 'COLON', c, at);
      p++;
    } else if (c === '+' || c === '-' || c === '!') {
      if (p + 1 < text.length && WHITESPACE.has(text[p + 1]!)) {
        push('BAREOPER', c, at);
        p += 2;
      } else {
        push(c === '+' ? 'PLUS' : c === '-' ? 'MINUS' : 'NOT', c, at);
        p++;
      }
    } else if (c === '"') {
      let q = p + 1;
      while (q < text.length && text[q] !== '"') q += text[q] === '\\' ? 2 : 1;
      if (q >= text.length) throw new QuerySyntaxError(`a quote opened at character ${at + 1} is not closed`);
      push('QUOTED', text.slice(p, q + 1), at);
      p = q + 1;
    } else if (c === '/') {
      let q = p + 1;
      while (q < text.length && text[q] !== '/') q += text[q] === '\\' && text[q + 1] === '/' ? 2 : 1;
      if (q >= text.length)
        throw new QuerySyntaxError(
          `a /regular expression/ opened at character ${at + 1} is not closed (write \\/ for a slash inside one)`,
        );
      push('REGEXPTERM', text.slice(p, q + 1), at);
      p = q + 1;
    } else if (c === '~') {
      let q = p + 1;
      while (q < text.length && isTermChar(text[q]!)) q++;
      push('FUZZY_SLOP', text.slice(p, q), at);
      p = q;
    } else if (c === '^') {
      push('CARAT', c, at);
      p++;
      const m = /^\d+(\.\d+)?/.exec(text.slice(p));
      if (!m) throw new QuerySyntaxError(`a boost "^" at character ${at + 1} needs a number, as in error^2`);
      push('NUMBER', m[0], p);
      p += m[0].length;
    } else if (c === '[' || c === '{') {
      push(c === '[' ? 'RANGEIN_START' : 'RANGEEX_START', c, at);
      p++;
      // The range state: TO, the end bracket, "quoted" or bare bounds.
      for (;;) {
        while (p < text.length && WHITESPACE.has(text[p]!)) p++;
        if (p >= text.length)
          throw new QuerySyntaxError(`a range opened at character ${at + 1} is not closed with ] or }`);
        const r = text[p]!;
        const start = p;
        if (r === ']' || r === '}') {
          push(r === ']' ? 'RANGEIN_END' : 'RANGEEX_END', r, p);
          p++;
          break;
        }
        let goop = p;
        while (
          goop < text.length &&
          text[goop] !== ' ' &&
          text[goop] !== ']' &&
          text[goop] !== '}' &&
          !WHITESPACE.has(text[goop]!)
        )
          goop++;
        if (r === '"') {
          let q = p + 1;
          while (q < text.length && text[q] !== '"') q += text[q] === '\\' && text[q + 1] === '"' ? 2 : 1;
          if (q < text.length && q > p + 1 && q + 1 >= goop) {
            push('RANGE_QUOTED', text.slice(p, q + 1), start);
            p = q + 1;
            continue;
          }
        }
        const image = text.slice(p, goop);
        push(image === 'TO' ? 'RANGE_TO' : 'RANGE_GOOP', image, start);
        p = goop;
      }
    } else {
      // A run of term characters, escapes and wildcards: TERM, PREFIXTERM, WILDTERM or STAR.
      let q = p;
      const wild: number[] = [];
      while (q < text.length) {
        const d = text[q]!;
        if (d === '\\') {
          if (q + 1 >= text.length) throw new QuerySyntaxError('the query ends with a backslash that escapes nothing');
          q += 2;
        } else if (d === '*' || d === '?') {
          wild.push(q);
          q++;
        } else if (isTermChar(d) && (q > p || (d !== '-' && d !== '+'))) q++;
        else break;
      }
      const image = text.slice(p, q);
      p = q;
      if (wild.length === 0) {
        const kind: Kind =
          image === 'AND' || image === '&&'
            ? 'AND'
            : image === 'OR' || image === '||'
              ? 'OR'
              : image === 'NOT'
                ? 'NOT'
                : 'TERM';
        push(kind, image, at);
      } else if (image === '*') push('STAR', image, at);
      else if (wild.length === 1 && wild[0] === q - 1 && image[0] !== '*' && image[0] !== '?')
        push('PREFIXTERM', image, at);
      else push('WILDTERM', image, at);
    }
  }
  out.push({ kind: 'EOF', image: '', at: text.length });
  return out;
}

/** Lucene's discardEscapeChar: `\x` is x. */
export function unescape(s: string): string {
  return s.replace(/\\(.)/gsu, '$1');
}
