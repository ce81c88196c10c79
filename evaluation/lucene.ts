// The query language of log rules: Elasticsearch's query_string (Lucene
// syntax) on the mapping of evaluation/query-string/mapping.ts. Elasticsearch
// runs it itself (connectors/elasticsearch/log-source.ts sends the same default_field and
// default operator); for NDJSON files, evaluation/query-string/ parses and
// matches it with the same meaning. This module is the seam the rest of
// pipewatch uses. Pure.
import { flatten } from './query-string/mapping.js';
import { matches } from './query-string/match.js';
import { parseQueryString, QuerySyntaxError, type Operator, type ParsedQuery } from './query-string/parser.js';

export { QuerySyntaxError };
export type Query = ParsedQuery;

/** What pipewatch sends Elasticsearch with every log query, so both sides read it alike. */
export const QUERY_STRING_OPTIONS = { default_field: '*', default_operator: 'AND', analyze_wildcard: true } as const;

/** Parses a log query; throws QuerySyntaxError saying what to write instead. */
export function parseQuery(text: string, operator: Operator = QUERY_STRING_OPTIONS.default_operator): Query {
  return parseQueryString(text, operator);
}

export function matchesQuery(q: Query, doc: Record<string, unknown>): boolean {
  return matches(q, flatten(doc));
}

/**
 * A field of a log line, whether written flat ("log.level": …, as ECS
 * loggers do) or nested (labels: { pipeline: … }).
 */
export function fieldValue(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const o = doc as Record<string, unknown>;
  if (path in o) return o[path];
  const parts = path.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const head = parts.slice(0, n).join('.');
    if (head in o) return fieldValue(o[head], parts.slice(n).join('.'));
  }
  return undefined;
}
