// Elasticsearch's query_string on NDJSON log files: a table of queries, each
// with the lines it must match. The expected answers come from Elasticsearch's
// query_string reference (docs/reference/query-dsl/query-string-query.asciidoc,
// "Query string syntax"), its mapping and range references, and the Lucene
// classic query parser's clause rules (QueryParser.jj, QueryParserBase.addClause),
// never from pipewatch's matcher; each row names the rule that decides it:
//   KEYWORD   keyword fields hold exact, case-sensitive values (keyword type reference)
//   TEXT      text fields are analysed by the standard analyzer: Unicode word boundaries (UAX #29), lowercased
//   ANALYSED  "each textual part is analyzed independently"; words side by side are analysed together
//             ("whitespace is not considered an operator"; QueryParser.jj MultiTerm) and joined by default_operator
//   PHRASE    "quick brown" — the words in that order, next to each other; on a keyword field, the whole value
//   DEFAULT   no field name: default_field * — every field that takes the term (lenient on the others)
//   WILDCARD  ? one character, * any; on text fields per word, normalised (lowercased); analyze_wildcard for a prefix
//   REGEXP    /…/ Lucene regular expressions, always anchored (regexp syntax reference); per word on text
//   RANGE     [ ] inclusive, { } exclusive, * open, field:>x, field:>=x (numbers numerically, keywords by term order)
//   DATES     range query "Missing date components"; a date term is the range [d, d] with the upper end rounded up
//   EXISTS    _exists_:field and field:* (an object field exists when a field under it does)
//   CLAUSE    QueryParserBase.addClause: AND makes the previous clause MUST, OR (default AND) makes it SHOULD, NOT/-
//             MUST_NOT, + MUST, a bare clause MUST (default AND) or SHOULD (default OR); no precedence
//   BOOL      BooleanQuery: all MUST, no MUST_NOT, and a SHOULD only when there is no MUST
//   NEGATIVE  a group of only MUST_NOT clauses gets a match-all (Elasticsearch's fixNegativeQueryIfNeeded)
//   ALL       *:* and * (default field *) match every document
//   BOOST     ^n changes scores only
// With PIPEWATCH_TEST_ES_URL set, the same table runs against that cluster.
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { matchesQuery, parseQuery, QUERY_STRING_OPTIONS, QuerySyntaxError } from '../../evaluation/lucene.js';
import { elasticsearchMappings } from '../../evaluation/query-string/mapping.js';

const docs: Record<string, Record<string, unknown>> = {
  d1: {
    '@timestamp': '2026-01-10T10:00:00Z',
    'log.level': 'error',
    message: 'Parse failed for leak-42.html',
    labels: { pipeline: 'intel', stage: 'parse' },
    event: { code: 'E_PARSE', duration: 120 },
    http: { response: { status_code: 500 } },
    service: { name: 'crawler' },
  },
  d2: {
    '@timestamp': '2026-01-10T11:00:00Z',
    'log.level': 'warn',
    message: 'Retrying after timeout',
    labels: { pipeline: 'lake', stage: 'load' },
    event: { code: 'W_RETRY', duration: 30 },
    http: { response: { status_code: 503 } },
    service: { name: 'loader' },
  },
  d3: {
    '@timestamp': '2026-01-11T00:30:00Z',
    'log.level': 'info',
    message: 'Stage completed: 1,200 records',
    labels: { pipeline: 'intel', stage: 'serve' },
    event: { action: 'stage.completed', duration: 5.5 },
    http: { response: { status_code: 200 } },
    service: { name: 'Crawler' },
  },
  d4: {
    '@timestamp': '2026-01-12T09:00:00Z',
    'log.level': 'error',
    message: 'connection timeout talking to db',
    error: { message: 'Timeout after 30s', type: 'TimeoutError' },
    labels: { pipeline: 'lake', stage: 'parse' },
    event: { code: 'E_TIMEOUT' },
    tags: ['db', 'retry'],
    service: { name: 'parse failed' },
  },
  d5: {
    '@timestamp': '2026-01-12T10:00:00Z',
    'log.level': 'ERROR',
    message: 'failed parse of record',
    labels: { pipeline: 'intel' },
    event: { code: 'E_PARSE' },
    user: { name: 'a b' },
  },
};
const ALL = Object.keys(docs);

type Row = [query: string, expected: string[], rule: string, operator?: 'AND' | 'OR'];

export const TABLE: Row[] = [
  // Terms, fields and analysis
  ['log.level:error', ['d1', 'd4'], 'KEYWORD'],
  ['log.level:ERROR', ['d5'], 'KEYWORD'],
  ['service.name:crawler', ['d1'], 'KEYWORD'],
  ['labels.stage:Parse', [], 'KEYWORD'],
  ['tags:retry', ['d4'], 'KEYWORD (an array: any value)'],
  ['message:timeout', ['d2', 'd4'], 'TEXT'],
  ['message:TIMEOUT', ['d2', 'd4'], 'TEXT (the query word is analysed too)'],
  ['error.message:timeout', ['d4'], 'TEXT'],
  ['error.type:timeout', [], 'KEYWORD'],
  ['message:leak-42.html', ['d1'], 'ANALYSED: leak, 42, html joined by AND'],
  ['message:(parse failed)', ['d1', 'd5'], 'ANALYSED'],
  ['message:(timeout parse)', [], 'ANALYSED with AND'],
  ['message:(timeout parse)', ['d1', 'd2', 'd4', 'd5'], 'ANALYSED with OR', 'OR'],
  ['message:"parse failed"', ['d1'], 'PHRASE'],
  ['message:"failed parse"', ['d5'], 'PHRASE'],
  ['message:"leak-42.html"', ['d1'], 'PHRASE of leak 42 html'],
  ['message:"completed 1,200"', ['d3'], 'PHRASE; TEXT: 1,200 is one word (UAX #29 WB11/12)'],
  ['user.name:a\\ b', ['d5'], 'escaped space inside a term (query_string "Reserved characters")'],
  ['user.name:"a b"', ['d5'], 'PHRASE on a keyword: the whole value'],
  ['labels.pipeline:(lake intel)', [], 'ANALYSED: "lake intel" is one keyword term'],
  // No field name: default_field *
  ['timeout', ['d2', 'd4'], 'DEFAULT: message, error.message'],
  ['crawler', ['d1'], 'DEFAULT + KEYWORD'],
  ['Crawler', ['d3'], 'DEFAULT + KEYWORD'],
  ['records', ['d3'], 'DEFAULT + TEXT (record ≠ records)'],
  ['500', ['d1'], 'DEFAULT: the number field http.response.status_code'],
  [
    'parse failed',
    ['d1', 'd4', 'd5'],
    'DEFAULT + ANALYSED: per field, message has both words or service.name is "parse failed"',
  ],
  ['"parse failed"', ['d1', 'd4'], 'DEFAULT + PHRASE'],
  ['leak', ['d1'], 'DEFAULT + TEXT'],
  // Wildcards and regular expressions
  ['event.code:E_*', ['d1', 'd4', 'd5'], 'WILDCARD on a keyword'],
  ['event.code:e_*', [], 'WILDCARD on a keyword: case-sensitive'],
  ['event.code:E_P?RSE', ['d1', 'd5'], 'WILDCARD'],
  ['message:time*', ['d2', 'd4'], 'WILDCARD per word'],
  ['message:TIME*', ['d2', 'd4'], 'WILDCARD normalised'],
  ['message:t?meout', ['d2', 'd4'], 'WILDCARD per word'],
  ['labels.\\*:lake', ['d2', 'd4'], 'field names with * (escaped): query_string "Field names"'],
  ['error.\\*:TimeoutError', ['d4'], 'field names with *'],
  ['message:/time.*/', ['d2', 'd4'], 'REGEXP per word'],
  ['event.code:/E_(PARSE|TIMEOUT)/', ['d1', 'd4', 'd5'], 'REGEXP'],
  ['event.code:/PARSE/', [], 'REGEXP anchored'],
  // Ranges and dates
  ['http.response.status_code:500', ['d1'], 'a number term'],
  ['http.response.status_code:[500 TO 599]', ['d1', 'd2'], 'RANGE inclusive'],
  ['http.response.status_code:{500 TO 599]', ['d2'], 'RANGE exclusive lower'],
  ['http.response.status_code:[500 TO 503}', ['d1'], 'RANGE exclusive upper'],
  ['http.response.status_code:[400 TO *]', ['d1', 'd2'], 'RANGE open'],
  ['http.response.status_code:>=500', ['d1', 'd2'], 'RANGE field:>=x'],
  ['http.response.status_code:<500', ['d3'], 'RANGE field:<x'],
  ['event.duration:>5', ['d1', 'd2', 'd3'], 'RANGE on numbers, numerically (5.5 > 5)'],
  ['event.duration:[5.5 TO 30]', ['d2', 'd3'], 'RANGE'],
  ['labels.pipeline:{intel TO lake]', ['d2', 'd4'], 'RANGE on keywords by term order'],
  ['labels.stage:[load TO parse}', ['d2'], 'RANGE on keywords'],
  [
    '@timestamp:[2026-01-10 TO 2026-01-11]',
    ['d1', 'd2', 'd3'],
    'DATES: inclusive upper 2026-01-11 rounds up to 23:59:59.999',
  ],
  ['@timestamp:[2026-01-10 TO 2026-01-11}', ['d1', 'd2'], 'DATES: exclusive upper is 2026-01-11T00:00'],
  ['@timestamp:{2026-01-10 TO *}', ['d3', 'd4', 'd5'], 'DATES: exclusive lower rounds up'],
  ['@timestamp:2026-01-12', ['d4', 'd5'], 'DATES: a date term is the whole day'],
  ['@timestamp:["2026-01-12T09:30:00Z" TO *]', ['d5'], 'DATES: a quoted bound'],
  ['@timestamp:>=2026-01-12T09\\:30\\:00Z', ['d5'], 'DATES: escaped colons'],
  // Existence and everything
  ['_exists_:error.message', ['d4'], 'EXISTS'],
  ['NOT _exists_:labels.stage', ['d5'], 'EXISTS + NEGATIVE'],
  ['_exists_:labels', ALL, 'EXISTS on an object field'],
  ['event.action:*', ['d3'], 'EXISTS (field:*)'],
  ['*:*', ALL, 'ALL'],
  ['*', ALL, 'ALL'],
  ['log.level:error^2', ['d1', 'd4'], 'BOOST'],
  // Boolean clauses
  ['log.level:error AND labels.pipeline:lake', ['d4'], 'CLAUSE'],
  ['log.level:error && labels.pipeline:lake', ['d4'], 'CLAUSE (&& is AND)'],
  ['log.level:error OR log.level:warn', ['d1', 'd2', 'd4'], 'CLAUSE + BOOL'],
  ['log.level:error || log.level:warn', ['d1', 'd2', 'd4'], 'CLAUSE (|| is OR)'],
  ['log.level:error labels.pipeline:lake', ['d4'], 'CLAUSE: bare clauses MUST with default AND'],
  ['log.level:error labels.pipeline:lake', ['d1', 'd2', 'd4'], 'CLAUSE: bare clauses SHOULD with default OR', 'OR'],
  [
    'log.level:error OR log.level:warn labels.pipeline:lake',
    ['d2', 'd4'],
    'CLAUSE: error, warn SHOULD; lake MUST (not error OR (warn AND lake))',
  ],
  [
    'log.level:error AND labels.stage:parse OR labels.pipeline:lake',
    ['d1', 'd4'],
    'CLAUSE: +error parse lake (not (error AND parse) OR lake)',
  ],
  ['labels.pipeline:lake OR log.level:error AND labels.stage:parse', ['d1', 'd4'], 'CLAUSE: lake +error +parse'],
  [
    'log.level:error AND labels.pipeline:lake OR labels.stage:serve',
    ['d4'],
    'CLAUSE with default OR: +error +lake serve',
    'OR',
  ],
  ['NOT log.level:error', ['d2', 'd3', 'd5'], 'NEGATIVE'],
  ['!log.level:error', ['d2', 'd3', 'd5'], 'NEGATIVE (! is NOT)'],
  ['-log.level:error', ['d2', 'd3', 'd5'], 'NEGATIVE (- is NOT)'],
  ['labels.pipeline:intel -log.level:error', ['d3', 'd5'], 'CLAUSE'],
  ['labels.pipeline:intel NOT log.level:error', ['d3', 'd5'], 'CLAUSE'],
  ['labels.pipeline:intel AND NOT log.level:error', ['d3', 'd5'], 'CLAUSE'],
  [
    'log.level:error OR NOT labels.pipeline:intel',
    ['d4'],
    'CLAUSE + BOOL: error SHOULD, intel MUST_NOT — the SHOULD is then needed',
  ],
  ['+log.level:error labels.pipeline:lake', ['d4'], 'CLAUSE'],
  ['+log.level:error labels.pipeline:lake', ['d1', 'd4'], 'CLAUSE with default OR: lake is SHOULD', 'OR'],
  ['+log.level:error -labels.pipeline:lake', ['d1'], 'CLAUSE'],
  ['(log.level:error OR log.level:warn) AND labels.pipeline:lake', ['d2', 'd4'], 'CLAUSE with a group'],
  ['labels.pipeline:(intel OR lake) AND NOT labels.stage:parse', ['d2', 'd3', 'd5'], 'CLAUSE; a field for a group'],
  ['log.level:(error OR warn)', ['d1', 'd2', 'd4'], 'a field for a group'],
  ['(NOT log.level:error)', ['d2', 'd3', 'd5'], 'NEGATIVE inside a group'],
  ['labels.pipeline:intel AND (NOT log.level:error)', ['d3', 'd5'], 'NEGATIVE inside a group'],
  ['log.level:fatal OR labels.stage:serve', ['d3'], 'BOOL'],
];

/** Queries pipewatch refuses at load, with the advice the message must give. */
export const REFUSED: Array<[query: string, advice: RegExp]> = [
  ['message:timout~1', /fuzzy.*timeout OR timout/],
  ['message:"connection timeout"~2', /proximity/],
  ['http.response.status_code:[500 TO 599', /not closed/],
  ['[500 TO 599]', /needs a field name/],
  ['@timestamp:[now-1h TO now]', /date math.*2026-01-31/],
  ['message:/a@b/', /Lucene-only/],
  ['event.code:/^E_/', /anchored/],
  ['log.level:(error', /not closed/],
  ['message:"..."', /no words/],
  ['log.level:error AND', /ends too early/],
];

const match = (query: string, operator: 'AND' | 'OR' = 'AND') => {
  const q = parseQuery(query, operator);
  return Object.entries(docs)
    .filter(([, d]) => matchesQuery(q, d))
    .map(([id]) => id);
};

describe('query_string on log files agrees with Elasticsearch', () => {
  it.each(
    TABLE.map(
      ([q, expected, rule, op]) =>
        [`${q}${op === 'OR' ? ' (default_operator OR)' : ''}`, expected, rule, q, op] as const,
    ),
  )('%s → %j (%s)', (_name, expected, _rule, query, op) => {
    expect(match(query, op)).toEqual(expected);
  });

  it.each(REFUSED)('refuses %s at load, saying what to write', (query, advice) => {
    expect(() => parseQuery(query)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(query)).toThrow(advice);
  });

  it('the table is large and covers every rule', () => {
    expect(TABLE.length + REFUSED.length).toBeGreaterThanOrEqual(60);
    for (const rule of [
      'KEYWORD',
      'TEXT',
      'ANALYSED',
      'PHRASE',
      'DEFAULT',
      'WILDCARD',
      'REGEXP',
      'RANGE',
      'DATES',
      'EXISTS',
      'CLAUSE',
      'BOOL',
      'NEGATIVE',
      'ALL',
      'BOOST',
    ])
      expect(TABLE.some(([, , r]) => r.includes(rule))).toBe(true);
  });

  it("docs/COMPATIBILITY.md states the table's counts", () => {
    const page = readFileSync(new URL('../../docs/COMPATIBILITY.md', import.meta.url), 'utf8');
    const section = page.split('<!-- section: query-string -->')[1]!.split('\n## ')[0]!;
    const m = /(\d+) of (\d+) queries agree with Elasticsearch; (\d+) more are refused at load/.exec(section);
    expect(m).not.toBeNull();
    const agree = TABLE.filter(
      ([q, expected, , op]) => JSON.stringify(match(q, op)) === JSON.stringify(expected),
    ).length;
    expect([Number(m![1]), Number(m![2]), Number(m![3])]).toEqual([agree, TABLE.length, REFUSED.length]);
  });

  it('docs/logging/logs-template.json holds the mapping the file matcher uses', () => {
    const template = JSON.parse(
      readFileSync(new URL('../../docs/logging/logs-template.json', import.meta.url), 'utf8'),
    ) as { template: { mappings: unknown } };
    expect(template.template.mappings).toEqual(elasticsearchMappings());
  });
});

const realUrl = process.env.PIPEWATCH_TEST_ES_URL;
const onCluster = realUrl ? it : it.skip;

describe('the same table on a real Elasticsearch', () => {
  onCluster(
    `agrees with the cluster on every query${realUrl ? '' : ' — skipped: PIPEWATCH_TEST_ES_URL is not set'}`,
    async () => {
      const client = new Client({ node: realUrl!, requestTimeout: 30_000 });
      const index = `pipewatch-query-string-${process.pid}`;
      try {
        await client.indices.create({ index, mappings: elasticsearchMappings() as never });
        await client.bulk({
          refresh: true,
          operations: Object.entries(docs).flatMap(([id, d]) => [{ index: { _index: index, _id: id } }, d]),
        });
        const disagreements: string[] = [];
        for (const [query, expected, , op] of TABLE) {
          const res = await client.search({
            index,
            size: 100,
            query: { query_string: { query, ...QUERY_STRING_OPTIONS, default_operator: op ?? 'AND' } },
          });
          const ids = res.hits.hits.map((h) => h._id!).sort();
          if (JSON.stringify(ids) !== JSON.stringify(expected))
            disagreements.push(`${query}: cluster ${JSON.stringify(ids)}, table ${JSON.stringify(expected)}`);
        }
        expect(disagreements).toEqual([]);
      } finally {
        await client.indices.delete({ index }).catch(() => undefined);
        await client.close();
      }
    },
    120_000,
  );
});
