// Elasticsearch's query_string syntax, read the way Lucene's classic query
// parser (QueryParser.jj) reads it and Elasticsearch's QueryStringQueryParser
// turns it into queries: the same tokens, the same clause rules (each clause
// MUST / SHOULD / MUST_NOT from +, -, NOT, AND, OR and the default operator —
// QueryParserBase.addClause — with no precedence between AND and OR), words
// side by side analysed together (whitespace is not an operator), a purely
// negative group given a match-all (fixNegativeQueryIfNeeded), `_exists_`,
// `field:>5`, ranges, wildcards, /regexp/, `*:*`. What the file matcher does not
// implement is refused here with what to write instead. Pure. This file holds the
// clause grammar; the tokens are cut in tokens.ts and the queries built in queries.ts.
import {
  booleanQuery,
  fieldQuery,
  prefixQuery,
  QuerySyntaxError,
  rangeQuery,
  regexpQuery,
  wildcardQuery,
  type Clause,
  type Node,
} from './queries.js';
import { tokenize, unescape, type Kind, type Token } from './tokens.js';

export { QuerySyntaxError, type Node, type Occur } from './queries.js';

export type Operator = 'AND' | 'OR';

export interface ParsedQuery {
  root: Node;
  operator: Operator;
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
