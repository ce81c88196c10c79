// Elasticsearch's query_string syntax, read the way Lucene's classic query
// parser (QueryParser.jj) reads it and Elasticsearch's QueryStringQueryParser
// turns it into queries: the same tokens, the same clause rules (each clause
// MUST / SHOULD / MUST_NOT from +, -, NOT, AND, OR and the default operator —
// QueryParserBase.addClause — with no precedence between AND and OR), words
// side by side analysed together (whitespace is not an operator), a purely
// negative group given a match-all (fixNegativeQueryIfNeeded), `_exists_`,
// `field:>5`, ranges, wildcards, /regexp/, `*:*`. What the file matcher does not
// implement is refused here with what to write instead. Pure.
import { compileRegex } from '../regex.js';
import { analyze, parseDate } from './analysis.js';
import { DATE_FIELDS, TEXT_FIELDS } from './mapping.js';

export type Occur = 'must' | 'should' | 'must_not' | 'filter';
export type Operator = 'AND' | 'OR';

export type Node =
  | { kind: 'bool'; clauses: Array<{ occur: Occur; node: Node }> }
  | { kind: 'all' }
  | { kind: 'exists'; field: string }
  /** A term or words (phrase: false; analysed together, joined by the default operator on text) or a "phrase". */
  | { kind: 'text'; field: string; text: string; phrase: boolean }
  | { kind: 'prefix'; field: string; prefix: string }
  | { kind: 'wildcard'; field: string; pattern: string }
  | { kind: 'regexp'; field: string; pattern: string; test: (s: string) => boolean }
  | { kind: 'range'; field: string; lower?: string; upper?: string; includeLower: boolean; includeUpper: boolean };

export interface ParsedQuery {
  root: Node;
  operator: Operator;
}

export class QuerySyntaxError extends Error {}

type Kind =
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

interface Token {
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

function tokenize(text: string): Token[] {
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
function unescape(s: string): string {
  return s.replace(/\\(.)/gsu, '$1');
}

const MOD_NONE = 0;
const MOD_REQ = 1;
const MOD_NOT = 2;
const CONJ_NONE = 0;
const CONJ_AND = 1;
const CONJ_OR = 2;
const DISALLOWED_AFTER_MULTITERM: Kind[] = ['COLON', 'STAR', 'FUZZY_SLOP', 'CARAT', 'AND', 'OR'];
const CLAUSE_START: Kind[] = [
  'TERM',
  'STAR',
  'PREFIXTERM',
  'WILDTERM',
  'REGEXPTERM',
  'NUMBER',
  'BAREOPER',
  'QUOTED',
  'RANGEIN_START',
  'RANGEEX_START',
  'LPAREN',
];

type Clause = { occur: Occur; node: Node };

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly operator: Operator,
  ) {}

  private kind(k = 0): Kind {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!.kind;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private fail(what: string): never {
    const t = this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
    throw new QuerySyntaxError(
      t.kind === 'EOF'
        ? `the query ends too early: ${what}`
        : `cannot read "${t.image}" at character ${t.at + 1}: ${what}`,
    );
  }

  top(): Node | null {
    const q = this.query('*');
    if (this.kind() !== 'EOF') this.fail('expected the end of the query (is a ")" unopened?)');
    return q;
  }

  private multiTermAhead(): boolean {
    return this.kind(0) === 'TERM' && this.kind(1) === 'TERM' && !DISALLOWED_AFTER_MULTITERM.includes(this.kind(2));
  }

  // Query ::= ( MultiTerm | Modifiers Clause ) ( MultiTerm | Conjunction Modifiers Clause )*
  private query(field: string): Node | null {
    const clauses: Clause[] = [];
    let first: Node | null = null;
    if (this.multiTermAhead()) first = this.multiTerm(field, clauses);
    else {
      const mods = this.modifiers();
      const q = this.clause(field);
      this.addClause(clauses, CONJ_NONE, mods, q);
      if (mods === MOD_NONE) first = q;
    }
    for (;;) {
      if (this.multiTermAhead()) this.multiTerm(field, clauses);
      else if (['AND', 'OR', 'PLUS', 'MINUS', 'NOT', ...CLAUSE_START].includes(this.kind())) {
        const conj = this.conjunction();
        const mods = this.modifiers();
        this.addClause(clauses, conj, mods, this.clause(field));
      } else break;
    }
    if (clauses.length === 1 && first !== null) return first;
    return booleanQuery(clauses);
  }

  // Consecutive bare words are analysed as one text (splitOnWhitespace is false in Elasticsearch).
  private multiTerm(field: string, clauses: Clause[]): Node | null {
    let text = this.next().image;
    while (this.kind(0) === 'TERM' && !DISALLOWED_AFTER_MULTITERM.includes(this.kind(1)))
      text += ` ${this.next().image}`;
    const q = fieldQuery(field, unescape(text), false);
    if (q !== null) clauses.push({ occur: this.operator === 'AND' ? 'must' : 'should', node: q });
    return q;
  }

  private conjunction(): number {
    if (this.kind() === 'AND') return (this.next(), CONJ_AND);
    if (this.kind() === 'OR') return (this.next(), CONJ_OR);
    return CONJ_NONE;
  }

  private modifiers(): number {
    if (this.kind() === 'PLUS') return (this.next(), MOD_REQ);
    if (this.kind() === 'MINUS' || this.kind() === 'NOT') return (this.next(), MOD_NOT);
    return MOD_NONE;
  }

  // QueryParserBase.addClause: AND makes the previous clause required, OR (with
  // the AND operator) makes it optional; the new clause is MUST, SHOULD or
  // MUST_NOT from its modifier, its conjunction and the default operator.
  private addClause(clauses: Clause[], conj: number, mods: number, q: Node | null): void {
    const last = clauses.at(-1);
    if (last && conj === CONJ_AND && last.occur !== 'must_not') last.occur = 'must';
    if (last && this.operator === 'AND' && conj === CONJ_OR && last.occur !== 'must_not') last.occur = 'should';
    if (q === null) return;
    let required: boolean;
    const prohibited = mods === MOD_NOT;
    if (this.operator === 'OR') required = mods === MOD_REQ || (conj === CONJ_AND && !prohibited);
    else required = !prohibited && conj !== CONJ_OR;
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', node: q });
  }

  private clause(field: string): Node | null {
    if ((this.kind(0) === 'TERM' || this.kind(0) === 'STAR') && this.kind(1) === 'COLON') {
      const t = this.next();
      this.next();
      field = t.kind === 'STAR' ? '*' : unescape(t.image);
    }
    if (this.kind() === 'LPAREN') {
      this.next();
      const q = this.query(field);
      if (this.kind() !== 'RPAREN') this.fail('a "(" is not closed');
      this.next();
      this.boost();
      return q;
    }
    return this.term(field);
  }

  /** Boosts change scores, never which lines match: accepted and ignored. */
  private boost(): void {
    if (this.kind() === 'CARAT') {
      this.next();
      this.next();
    }
  }

  private fuzzy(): void {
    const slop = this.tokens[this.i];
    if (this.kind() === 'FUZZY_SLOP')
      throw new QuerySyntaxError(
        `"${slop!.image}" (a fuzzy or proximity search) is not supported: list the spellings, e.g. message:(timeout OR timout), or search the words without ~, e.g. message:"disk full"`,
      );
  }

  private term(field: string): Node | null {
    const k = this.kind();
    if (['TERM', 'STAR', 'PREFIXTERM', 'WILDTERM', 'REGEXPTERM', 'NUMBER', 'BAREOPER'].includes(k)) {
      const t = this.next();
      this.boost();
      this.fuzzy();
      this.boost();
      if (k === 'STAR' || k === 'WILDTERM') return wildcardQuery(field, t.image);
      if (k === 'PREFIXTERM') return prefixQuery(field, unescape(t.image.slice(0, -1)));
      if (k === 'REGEXPTERM') return regexpQuery(field, t.image.slice(1, -1));
      return fieldQuery(field, unescape(t.image), false);
    }
    if (k === 'RANGEIN_START' || k === 'RANGEEX_START') {
      this.next();
      const bound = (): string | undefined => {
        const g = this.next();
        if (g.kind === 'RANGE_QUOTED') return unescape(g.image.slice(1, -1));
        if (g.kind === 'RANGE_GOOP' || g.kind === 'RANGE_TO') return g.image === '*' ? undefined : unescape(g.image);
        this.i--;
        this.fail('a range is written [low TO high], {low TO high} or with * for an open end');
      };
      const lower = bound();
      if (this.kind() !== 'RANGE_TO') this.fail('a range is written [low TO high]');
      this.next();
      const upper = bound();
      const end = this.next();
      if (end.kind !== 'RANGEIN_END' && end.kind !== 'RANGEEX_END') {
        this.i--;
        this.fail('a range ends with ] or }');
      }
      this.boost();
      return rangeQuery(field, lower, upper, k === 'RANGEIN_START', end.kind === 'RANGEIN_END');
    }
    if (k === 'QUOTED') {
      const t = this.next();
      this.boost();
      this.fuzzy();
      this.boost();
      return fieldQuery(field, unescape(t.image.slice(1, -1)), true);
    }
    this.fail('expected a word, "phrase", range or (group)');
  }
}

function booleanQuery(clauses: Clause[]): Node | null {
  if (clauses.length === 0) return null;
  // Elasticsearch's getBooleanQuery → fixNegativeQueryIfNeeded: only MUST_NOT clauses → add match_all.
  if (clauses.every((c) => c.occur === 'must_not'))
    return { kind: 'bool', clauses: [...clauses, { occur: 'filter', node: { kind: 'all' } }] };
  return { kind: 'bool', clauses };
}

/** On a field the mapping makes text, words that analyse to nothing give no query (the clause is dropped). */
function noWordsOnText(field: string, text: string): boolean {
  return TEXT_FIELDS.includes(field) && analyze(text).length === 0;
}

// QueryStringQueryParser.getFieldQuery
function fieldQuery(field: string, text: string, quoted: boolean): Node | null {
  if (field === '_exists_') return { kind: 'exists', field: text };
  if (!quoted && field && text.length > 1) {
    if (text.startsWith('>=') && text.length > 2) return rangeQuery(field, text.slice(2), undefined, true, true);
    if (text.startsWith('>')) return rangeQuery(field, text.slice(1), undefined, false, true);
    if (text.startsWith('<=') && text.length > 2) return rangeQuery(field, undefined, text.slice(2), true, true);
    if (text.startsWith('<')) return rangeQuery(field, undefined, text.slice(1), true, false);
  }
  if (DATE_FIELDS.includes(field)) dateBound(field, text);
  if (noWordsOnText(field, text)) return null;
  return { kind: 'text', field, text, phrase: quoted };
}

function dateBound(field: string, text: string): void {
  if (parseDate(text, false) === undefined)
    throw new QuerySyntaxError(
      `${field} is a date: "${text}" is not one pipewatch reads (date math such as now-1h is not supported — the rule's window already limits time); write 2026-01-31, 2026-01-31T10:00:00Z or epoch milliseconds`,
    );
}

function rangeQuery(
  field: string,
  lower: string | undefined,
  upper: string | undefined,
  includeLower: boolean,
  includeUpper: boolean,
): Node {
  if (field === '*')
    throw new QuerySyntaxError(
      `a range needs a field name: write e.g. http.response.status_code:[500 TO 599] or status:>=500`,
    );
  if (DATE_FIELDS.includes(field)) for (const b of [lower, upper]) if (b !== undefined) dateBound(field, b);
  return { kind: 'range', field, lower, upper, includeLower, includeUpper };
}

// QueryStringQueryParser.getWildcardQuery: `*` alone is every document on `*`, else "the field exists".
function wildcardQuery(field: string, pattern: string): Node {
  if (pattern === '*') return field === '*' ? { kind: 'all' } : { kind: 'exists', field };
  return { kind: 'wildcard', field, pattern };
}

function prefixQuery(field: string, prefix: string): Node | null {
  if (noWordsOnText(field, prefix)) return null;
  return { kind: 'prefix', field, prefix };
}

/**
 * Lucene regular expressions are anchored (the whole term must match). The
 * part of their syntax RE2 reads alike is accepted and run by evaluation/regex.ts;
 * Lucene-only operators (@ & ~ < > # and "…" literals) and RE2-only ones (^ $
 * anchors, (?flags), \b, \p{…}) are refused.
 */
function regexpQuery(field: string, pattern: string): Node {
  const source = pattern.replace(/\\\//g, '/');
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[i + 1] ?? '';
      if (/[a-zA-Z]/.test(e) && !/[dswDSW]/.test(e))
        throw new QuerySyntaxError(
          `/${pattern}/: \\${e} is not in Lucene's regular expressions; write the characters out, e.g. [0-9] or [a-z]`,
        );
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (source[i + 1] === '^') i++;
      continue;
    }
    if ('@&~<>#"'.includes(c))
      throw new QuerySyntaxError(
        `/${pattern}/: "${c}" is a Lucene-only regular expression operator pipewatch does not run on log files; escape it (\\${c}) to mean the character, or use a wildcard (field:abc*)`,
      );
    if (c === '^' || c === '$')
      throw new QuerySyntaxError(
        `/${pattern}/: Lucene regular expressions are always anchored and "${c}" is an ordinary character there; remove it (or escape it: \\${c})`,
      );
    if (c === '(' && source[i + 1] === '?')
      throw new QuerySyntaxError(`/${pattern}/: (? groups are not in Lucene's regular expressions; write plain ( )`);
  }
  let regex;
  try {
    regex = compileRegex(`(?s:${source})`, { anchored: true });
  } catch (err) {
    throw new QuerySyntaxError(`/${pattern}/ is not a regular expression: ${(err as Error).message}`);
  }
  return { kind: 'regexp', field, pattern, test: (s) => regex.test(s) };
}

/**
 * Parses a query as Elasticsearch's query_string with default_field `*` and
 * the given default operator (pipewatch sends AND). An empty query is every
 * line. Throws QuerySyntaxError with what to write instead.
 */
export function parseQueryString(text: string, operator: Operator = 'AND'): ParsedQuery {
  if (!text.trim()) return { root: { kind: 'all' }, operator };
  const root = new Parser(tokenize(text), operator).top();
  if (root === null)
    throw new QuerySyntaxError(
      'the query has no words to search for (punctuation alone is not indexed in text fields); name what to find, e.g. message:timeout',
    );
  return { root, operator };
}
