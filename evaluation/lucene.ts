// The query language of log rules: the Lucene syntax Elasticsearch's
// query_string takes — field:value, "phrases", wildcards (* ?), field:(a OR
// b), field:>5, AND / OR / NOT / -term, parentheses; terms side by side mean
// AND. Elasticsearch runs it itself; for NDJSON files this module parses it
// into a predicate over the JSON lines. Pure.

export type Query =
  | { kind: 'and' | 'or'; parts: Query[] }
  | { kind: 'not'; part: Query }
  | { kind: 'term'; field?: string; op: ':' | '>' | '>=' | '<' | '<='; value: string; phrase: boolean }
  | { kind: 'all' };

export class QuerySyntaxError extends Error {}

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) tokens.push(m[1]!);
  if (text.slice(TOKEN.lastIndex).trim()) throw new QuerySyntaxError(`cannot read the query near "${text.slice(TOKEN.lastIndex).trim().slice(0, 20)}"`);
  return tokens;
}

export function parseQuery(text: string): Query {
  if (!text.trim() || text.trim() === '*') return { kind: 'all' };
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];

  const value = (field: string | undefined, raw: string): Query => {
    let op: ':' | '>' | '>=' | '<' | '<=' = ':';
    let v = raw;
    const cmp = /^(>=|<=|>|<)(.+)$/.exec(v);
    if (field && cmp) {
      op = cmp[1] as typeof op;
      v = cmp[2]!;
    }
    const phrase = v.startsWith('"');
    return { kind: 'term', field, op, value: phrase ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v, phrase };
  };

  const primary = (): Query => {
    const t = next();
    if (t === undefined) throw new QuerySyntaxError('the query ends too early');
    if (t === '(') {
      const q = or();
      if (next() !== ')') throw new QuerySyntaxError('a "(" is not closed');
      return q;
    }
    const fieldMatch = /^([A-Za-z0-9_@.*-]+):(.*)$/.exec(t);
    if (fieldMatch) {
      const field = fieldMatch[1]!;
      if (fieldMatch[2] === '') {
        // field:(a OR b) or field:"phrase"
        if (peek() === '(') {
          next();
          const alternatives: Query[] = [];
          while (peek() !== ')') {
            const v = next();
            if (v === undefined) throw new QuerySyntaxError(`the values of ${field} are not closed with ")"`);
            if (v === 'OR' || v === 'AND') continue;
            alternatives.push(value(field, v));
          }
          next();
          return { kind: 'or', parts: alternatives };
        }
        const v = next();
        if (v === undefined) throw new QuerySyntaxError(`${field}: has no value`);
        return value(field, v);
      }
      return value(field, fieldMatch[2]!);
    }
    return value(undefined, t);
  };

  const not = (): Query => {
    const t = peek();
    if (t === 'NOT') {
      next();
      return { kind: 'not', part: not() };
    }
    if (t?.startsWith('-') && t.length > 1) {
      tokens[i] = t.slice(1);
      return { kind: 'not', part: not() };
    }
    return primary();
  };

  const and = (): Query => {
    const parts = [not()];
    while (peek() !== undefined && peek() !== ')' && peek() !== 'OR') {
      if (peek() === 'AND') next();
      parts.push(not());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  };

  const or = (): Query => {
    const parts = [and()];
    while (peek() === 'OR') {
      next();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  };

  const q = or();
  if (i < tokens.length) throw new QuerySyntaxError(`unexpected "${tokens[i]}"`);
  return q;
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

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

function termMatches(q: Extract<Query, { kind: 'term' }>, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => termMatches(q, v));
  if (typeof value === 'object') return Object.values(value).some((v) => termMatches(q, v));
  const text = String(value);
  if (q.op !== ':') {
    const a = Number(text);
    const b = Number(q.value);
    const [x, y] = Number.isNaN(a) || Number.isNaN(b) ? [text, q.value] : [a, b];
    return q.op === '>' ? x > y : q.op === '>=' ? x >= y : q.op === '<' ? x < y : x <= y;
  }
  if (q.phrase) return q.field ? text.toLowerCase() === q.value.toLowerCase() || text.toLowerCase().includes(q.value.toLowerCase()) : text.toLowerCase().includes(q.value.toLowerCase());
  if (/[*?]/.test(q.value)) return wildcard(q.value).test(text);
  if (q.field) return text.toLowerCase() === q.value.toLowerCase();
  // A bare word: a word of the text.
  return text.toLowerCase().split(/[^\p{L}\p{N}_.-]+/u).includes(q.value.toLowerCase());
}

export function matchesQuery(q: Query, doc: Record<string, unknown>): boolean {
  switch (q.kind) {
    case 'all':
      return true;
    case 'and':
      return q.parts.every((p) => matchesQuery(p, doc));
    case 'or':
      return q.parts.some((p) => matchesQuery(p, doc));
    case 'not':
      return !matchesQuery(q.part, doc);
    case 'term':
      if (q.field) return termMatches(q, fieldValue(doc, q.field));
      return termMatches(q, fieldValue(doc, 'message')) || termMatches(q, doc);
  }
}
