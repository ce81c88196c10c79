// Whether one log line matches a parsed query_string, field by field as
// Elasticsearch would on the mapping in ./mapping.ts. A query on a field
// whose type cannot take it (a word on a number, a wildcard on a date) matches
// nothing rather than failing, as query_string with default_field * is lenient.
// Pure.
import {
  analyze,
  compareTerms,
  dateValue,
  lowercase,
  parseDate,
  parseNumber,
  parseWildcard,
  wildcardMatches,
} from './analysis.js';
import { type Flat, type FieldType, fieldType, resolveFields, type Scalar } from './mapping.js';
import type { Node, Operator, ParsedQuery } from './parser.js';

// Lucene's position_increment_gap between values of a text array, so a phrase never spans two values.
const POSITION_GAP = 100;

interface Field {
  path: string;
  values: Array<{ type: FieldType; value: Scalar }>;
  /** Text fields: tokens with positions. */
  tokens?: Array<{ token: string; position: number }>;
}

function field(flat: Flat, path: string): Field {
  const values = (flat.get(path) ?? []).map((value) => ({ type: fieldType(path, value), value }));
  const f: Field = { path, values };
  if (values.some((v) => v.type === 'text')) {
    f.tokens = [];
    let position = 0;
    for (const v of values) {
      for (const token of analyze(String(v.value))) f.tokens.push({ token, position: position++ });
      position += POSITION_GAP;
    }
  }
  return f;
}

export function matches(query: ParsedQuery, flat: Flat): boolean {
  const cache = new Map<string, Field>();
  const get = (path: string) => cache.get(path) ?? cache.set(path, field(flat, path)).get(path)!;
  const onFields = (name: string, test: (f: Field) => boolean) => resolveFields(name, flat).some((p) => test(get(p)));
  const run = (node: Node): boolean => {
    switch (node.kind) {
      case 'all':
        return true;
      case 'bool': {
        let positive = false;
        let anyShould = false;
        let shouldMatched = false;
        for (const c of node.clauses) {
          const m = run(c.node);
          if (c.occur === 'must' || c.occur === 'filter') {
            positive = true;
            if (!m) return false;
          } else if (c.occur === 'must_not') {
            if (m) return false;
          } else {
            anyShould = true;
            if (m) shouldMatched = true;
          }
        }
        // A boolean query without required clauses needs one of its optional ones.
        return positive || (anyShould && shouldMatched);
      }
      case 'exists':
        // An object field exists when any field under it does.
        return (
          resolveFields(node.field, flat).length > 0 ||
          (!node.field.includes('*') && [...flat.keys()].some((k) => k.startsWith(`${node.field}.`)))
        );
      case 'text':
        return onFields(node.field, (f) => textOn(f, node.text, node.phrase, query.operator));
      case 'prefix':
        return onFields(node.field, (f) => prefixOn(f, node.prefix, query.operator));
      case 'wildcard': {
        return onFields(node.field, (f) =>
          f.tokens
            ? (() => {
                const glob = parseWildcard(lowercase(node.pattern));
                return f.tokens.some((t) => wildcardMatches(glob, t.token));
              })()
            : f.values.some(
                (v) => v.type === 'keyword' && wildcardMatches(parseWildcard(node.pattern), String(v.value)),
              ),
        );
      }
      case 'regexp':
        return onFields(node.field, (f) =>
          f.tokens
            ? f.tokens.some((t) => node.test(t.token))
            : f.values.some((v) => v.type === 'keyword' && node.test(String(v.value))),
        );
      case 'range':
        return onFields(node.field, (f) => rangeOn(f, node));
    }
  };
  return run(query.root);
}

function textOn(f: Field, text: string, phrase: boolean, operator: Operator): boolean {
  if (f.tokens) {
    const words = analyze(text);
    if (words.length === 0) return false;
    if (phrase) {
      return f.tokens.some((start, i) =>
        words.every((w, k) => f.tokens![i + k]?.token === w && f.tokens![i + k]!.position === start.position + k),
      );
    }
    const has = (w: string) => f.tokens!.some((t) => t.token === w);
    return operator === 'AND' ? words.every(has) : words.some(has);
  }
  return f.values.some((v) => termEquals(v.type, v.value, text));
}

/** A term query on a field that is not text: the whole value, compared by its type. */
function termEquals(type: FieldType, value: Scalar, text: string): boolean {
  switch (type) {
    case 'keyword':
      return value === text;
    case 'number': {
      const n = parseNumber(text);
      return n !== undefined && Number(value) === n;
    }
    case 'boolean':
      return (text === 'true' || text === 'false') && String(value) === text;
    case 'date': {
      // A date term is the range [value, value], the upper end rounded up (DateFieldType.termQuery).
      const v = dateValue(value);
      const lo = parseDate(text, false);
      const hi = parseDate(text, true);
      return v !== undefined && lo !== undefined && hi !== undefined && v >= lo && v <= hi;
    }
    case 'text':
      return false;
  }
}

function prefixOn(f: Field, prefix: string, operator: Operator): boolean {
  if (f.tokens) {
    // analyze_wildcard: the prefix is analysed; the last word is a prefix, the others whole words.
    const words = analyze(prefix);
    if (words.length === 0) return false;
    const ok = words.map((w, i) =>
      i === words.length - 1 ? f.tokens!.some((t) => t.token.startsWith(w)) : f.tokens!.some((t) => t.token === w),
    );
    return operator === 'AND' ? ok.every(Boolean) : ok.some(Boolean);
  }
  return f.values.some((v) => v.type === 'keyword' && String(v.value).startsWith(prefix));
}

function rangeOn(f: Field, r: Extract<Node, { kind: 'range' }>): boolean {
  if (f.tokens) {
    const lo = r.lower === undefined ? undefined : lowercase(r.lower);
    const hi = r.upper === undefined ? undefined : lowercase(r.upper);
    return f.tokens.some((t) => within(t.token, lo, hi, r.includeLower, r.includeUpper, compareTerms));
  }
  return f.values.some((v) => {
    switch (v.type) {
      case 'keyword':
        return within(String(v.value), r.lower, r.upper, r.includeLower, r.includeUpper, compareTerms);
      case 'number': {
        const lo = r.lower === undefined ? undefined : parseNumber(r.lower);
        const hi = r.upper === undefined ? undefined : parseNumber(r.upper);
        if ((r.lower !== undefined && lo === undefined) || (r.upper !== undefined && hi === undefined)) return false;
        return within(Number(v.value), lo, hi, r.includeLower, r.includeUpper, (a, b) => a - b);
      }
      case 'date': {
        // DateFieldType.rangeQuery: the lower end is rounded up when exclusive, the upper end when inclusive.
        const t = dateValue(v.value);
        const lo = r.lower === undefined ? undefined : parseDate(r.lower, !r.includeLower);
        const hi = r.upper === undefined ? undefined : parseDate(r.upper, r.includeUpper);
        if (
          t === undefined ||
          (r.lower !== undefined && lo === undefined) ||
          (r.upper !== undefined && hi === undefined)
        )
          return false;
        return within(t, lo, hi, r.includeLower, r.includeUpper, (a, b) => a - b);
      }
      case 'boolean': {
        const b = (s: string | undefined) => (s === undefined ? undefined : s === 'true' ? 1 : s === 'false' ? 0 : NaN);
        const lo = b(r.lower);
        const hi = b(r.upper);
        if (Number.isNaN(lo) || Number.isNaN(hi)) return false;
        return within(v.value ? 1 : 0, lo, hi, r.includeLower, r.includeUpper, (x, y) => x - y);
      }
      default:
        return false;
    }
  });
}

function within<T>(
  v: T,
  lo: T | undefined,
  hi: T | undefined,
  incLo: boolean,
  incHi: boolean,
  cmp: (a: T, b: T) => number,
): boolean {
  if (lo !== undefined) {
    const c = cmp(v, lo);
    if (c < 0 || (c === 0 && !incLo)) return false;
  }
  if (hi !== undefined) {
    const c = cmp(v, hi);
    if (c > 0 || (c === 0 && !incHi)) return false;
  }
  return true;
}
