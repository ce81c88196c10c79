// The queries a query_string clause becomes — the tree evaluation/query-string/match.ts runs — built
// the way Elasticsearch's QueryStringQueryParser builds them (getFieldQuery with `field:>5` and
// `_exists_`, getRangeQuery, getWildcardQuery, getPrefixQuery, getRegexpQuery, getBooleanQuery with
// fixNegativeQueryIfNeeded), refusing what the file matcher does not implement. Pure.
import { compileRegex } from '../regex.js';
import { analyze, parseDate } from './analysis.js';
import { DATE_FIELDS, TEXT_FIELDS } from './mapping.js';

export type Occur = 'must' | 'should' | 'must_not' | 'filter';

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

export type Clause = { occur: Occur; node: Node };

export class QuerySyntaxError extends Error {}

export function booleanQuery(clauses: Clause[]): Node | null {
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
export function fieldQuery(field: string, text: string, quoted: boolean): Node | null {
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

export function rangeQuery(
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
export function wildcardQuery(field: string, pattern: string): Node {
  if (pattern === '*') return field === '*' ? { kind: 'all' } : { kind: 'exists', field };
  return { kind: 'wildcard', field, pattern };
}

export function prefixQuery(field: string, prefix: string): Node | null {
  if (noWordsOnText(field, prefix)) return null;
  return { kind: 'prefix', field, prefix };
}

/**
 * Lucene regular expressions are anchored (the whole term must match). The
 * part of their syntax RE2 reads alike is accepted and run by evaluation/regex.ts;
 * Lucene-only operators (@ & ~ < > # and "…" literals) and RE2-only ones (^ $
 * anchors, (?flags), \b, \p{…}) are refused.
 */
export function regexpQuery(field: string, pattern: string): Node {
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
