// Alertmanager's own tests of its label matchers, ported as tables in pipewatch's terms. Sources
// (prometheus/alertmanager, read at 68fb2d5): pkg/labels/parse_test.go (the classic parser),
// pkg/labels/matcher_test.go (matching and printing), matcher/parse/parse_test.go (the current UTF-8
// parser) and the matching and validation tests of silence/silence_test.go. Each row states what
// Alertmanager's test expects and what pipewatch does with the same input:
//   same    — pipewatch reads it as Alertmanager's test expects, or refuses what it refuses;
//   write   — Alertmanager reads it only with its classic parser (it warns and falls back); pipewatch
//             refuses it and the message names the text to write, which must parse to that reading;
//   current — a classic-parser test expects a refusal, but Alertmanager's default mode reads the input
//             with its current parser as given; pipewatch does the same.
// docs/COMPATIBILITY.md (section alertmanager-matchers) states the counts, checked at the end.
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../config/load.js';
import {
  formatMatcher,
  formatMatchers,
  matcherProblem,
  matches,
  matchesAll,
  parseMatcher,
  parseMatchers,
  type MatchOp,
  type Matcher,
} from '../../evaluation/matchers.js';
import { muteReason, type Silence } from '../../evaluation/muting.js';
import { silenceMatchers, silenceRequestProblem } from '../../evaluation/silence-rules.js';

type Reading = Array<[string, MatchOp, string]>;
const toMatchers = (r: Reading): Matcher[] => r.map(([label, op, value]) => ({ label, op, value }));

interface ParseCase {
  input: string;
  /** What Alertmanager's test expects: the matchers, or a refusal. */
  am: Reading | 'error';
  pw: 'same' | { write: string } | { current: Reading };
}

type Outcome = 'same' | 'write' | 'current';
const outcomeOf = (c: ParseCase): Outcome => (c.pw === 'same' ? 'same' : 'write' in c.pw ? 'write' : 'current');

/** Checks one row against pipewatch's parser of lists (or of a single matcher). */
function checkParse(c: ParseCase, parse: (t: string) => Matcher[] | string) {
  const got = parse(c.input);
  if (c.pw === 'same') {
    if (c.am === 'error') {
      expect(typeof got).toBe('string');
      // A refusal says what to write instead.
      expect(got).toMatch(/write/);
    } else expect(got).toEqual(toMatchers(c.am));
  } else if ('write' in c.pw) {
    expect(c.am).not.toBe('error');
    expect(typeof got).toBe('string');
    expect(got).toContain(`write ${c.pw.write}`);
    // The advice, written as told, means to pipewatch what Alertmanager read.
    expect(parseMatchers(c.pw.write)).toEqual(toMatchers(c.am as Reading));
  } else {
    expect(c.am).toBe('error');
    expect(got).toEqual(toMatchers(c.pw.current));
  }
}

const single = (t: string): Matcher[] | string => {
  const m = parseMatcher(t);
  return typeof m === 'string' ? m : [m];
};

// ------------------------------------------------------------------ pkg/labels/parse_test.go

const CLASSIC_FILE = 'pkg/labels/parse_test.go';
const classicCases: ParseCase[] = [
  { input: '{}', am: [], pw: 'same' },
  { input: ',', am: 'error', pw: 'same' },
  { input: '{,}', am: 'error', pw: 'same' },
  { input: `{foo='}`, am: [['foo', '=', "'"]], pw: { write: `foo="'"` } },
  { input: '{foo=`}', am: [['foo', '=', '`']], pw: { write: 'foo="`"' } },
  { input: '{foo=\\"}', am: [['foo', '=', '"']], pw: { write: 'foo="\\""' } },
  { input: '{foo=bar}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo="bar"}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo=~bar.*}', am: [['foo', '=~', 'bar.*']], pw: 'same' },
  { input: '{foo=~"bar.*"}', am: [['foo', '=~', 'bar.*']], pw: 'same' },
  { input: '{foo!=bar}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{foo!="bar"}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{foo!~bar.*}', am: [['foo', '!~', 'bar.*']], pw: 'same' },
  { input: '{foo!~"bar.*"}', am: [['foo', '!~', 'bar.*']], pw: 'same' },
  {
    input: '{foo="bar", baz!="quux"}',
    am: [
      ['foo', '=', 'bar'],
      ['baz', '!=', 'quux'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar", baz!~"quux.*"}',
    am: [
      ['foo', '=', 'bar'],
      ['baz', '!~', 'quux.*'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar",baz!~".*quux", derp="wat"}',
    am: [
      ['foo', '=', 'bar'],
      ['baz', '!~', '.*quux'],
      ['derp', '=', 'wat'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar", baz!="quux", derp="wat"}',
    am: [
      ['foo', '=', 'bar'],
      ['baz', '!=', 'quux'],
      ['derp', '=', 'wat'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar", baz!~".*quux.*", derp="wat"}',
    am: [
      ['foo', '=', 'bar'],
      ['baz', '!~', '.*quux.*'],
      ['derp', '=', 'wat'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar", instance=~"some-api.*"}',
    am: [
      ['foo', '=', 'bar'],
      ['instance', '=~', 'some-api.*'],
    ],
    pw: 'same',
  },
  { input: '{foo=""}', am: [['foo', '=', '']], pw: 'same' },
  {
    input: '{foo="bar,quux", job="job1"}',
    am: [
      ['foo', '=', 'bar,quux'],
      ['job', '=', 'job1'],
    ],
    pw: 'same',
  },
  {
    input: '{foo = "bar", dings != "bums", }',
    am: [
      ['foo', '=', 'bar'],
      ['dings', '!=', 'bums'],
    ],
    pw: 'same',
  },
  {
    input: 'foo=bar,dings!=bums',
    am: [
      ['foo', '=', 'bar'],
      ['dings', '!=', 'bums'],
    ],
    pw: 'same',
  },
  {
    input: String.raw`{quote="She said: \"Hi, ladies! That's gender-neutral…\""}`,
    am: [['quote', '=', `She said: "Hi, ladies! That's gender-neutral…"`]],
    pw: 'same',
  },
  { input: 'statuscode=~"5.."', am: [['statuscode', '=~', '5..']], pw: 'same' },
  { input: 'tricky=~~~', am: [['tricky', '=~', '~~']], pw: { write: 'tricky=~"~~"' } },
  {
    input: String.raw`trickier==\\=\=\"`,
    am: [['trickier', '=', String.raw`=\=\="`]],
    pw: { write: String.raw`trickier="=\\=\\=\""` },
  },
  {
    input: String.raw`contains_quote != "\"" , contains_comma !~ "foo,bar" , `,
    am: [
      ['contains_quote', '!=', '"'],
      ['contains_comma', '!~', 'foo,bar'],
    ],
    pw: 'same',
  },
  { input: '{foo=bar}}', am: [['foo', '=', 'bar}']], pw: { write: 'foo="bar}"' } },
  { input: '{foo=bar}},}', am: [['foo', '=', 'bar}}']], pw: { write: 'foo="bar}}"' } },
  {
    input: '{foo=,bar=}}',
    am: [
      ['foo', '=', ''],
      ['bar', '=', '}'],
    ],
    pw: { write: 'foo="", bar="}"' },
  },
  { input: String.raw`{foo=bar\t}`, am: [['foo', '=', 'bar\\t']], pw: { write: String.raw`foo="bar\\t"` } },
  { input: String.raw`{foo=bar\n}`, am: [['foo', '=', 'bar\n']], pw: { write: String.raw`foo="bar\n"` } },
  { input: String.raw`{foo=bar\}`, am: [['foo', '=', 'bar\\']], pw: { write: String.raw`foo="bar\\"` } },
  { input: String.raw`{foo=bar\\}`, am: [['foo', '=', 'bar\\']], pw: { write: String.raw`foo="bar\\"` } },
  { input: String.raw`{foo=bar\"}`, am: [['foo', '=', 'bar"']], pw: { write: String.raw`foo="bar\""` } },
  { input: 'job=', am: [['job', '=', '']], pw: { write: 'job=""' } },
  { input: 'job="value', am: 'error', pw: 'same' },
  { input: 'job=value"', am: 'error', pw: 'same' },
  { input: String.raw`trickier==\\=\=\""`, am: 'error', pw: 'same' },
  { input: 'contains_unescaped_quote = foo"bar', am: 'error', pw: 'same' },
  { input: '{invalid-name = "valid label"}', am: 'error', pw: { current: [['invalid-name', '=', 'valid label']] } },
  { input: '{foo=~"invalid[regexp"}', am: 'error', pw: 'same' },
  // Double-escaped strings.
  { input: String.raw`"{foo=\"bar"}`, am: 'error', pw: 'same' },
  { input: String.raw`"foo=\"bar"`, am: 'error', pw: 'same' },
  { input: String.raw`"foo=\"bar\""`, am: 'error', pw: 'same' },
  { input: String.raw`"foo=\"bar\"`, am: 'error', pw: 'same' },
  { input: String.raw`"{foo=\"bar\"}"`, am: 'error', pw: 'same' },
  { input: '"foo="bar""', am: 'error', pw: 'same' },
  { input: '{{foo=', am: 'error', pw: 'same' },
  { input: '{foo=', am: [['foo', '=', '']], pw: { write: 'foo=""' } },
  { input: '{foo=}b', am: [['foo', '=', '}b']], pw: { write: 'foo="}b"' } },
];

describe(`${CLASSIC_FILE} TestMatchers (Alertmanager's classic parser)`, () => {
  it.each(classicCases.map((c) => [c.input, c]))('%s', (_, c) => checkParse(c, parseMatchers));
});

// ------------------------------------------------------------------ matcher/parse/parse_test.go

const UTF8_FILE = 'matcher/parse/parse_test.go';
const utf8ListCases: ParseCase[] = [
  { input: '', am: [], pw: 'same' },
  { input: '{}', am: [], pw: 'same' },
  { input: '{foo=bar}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo=bar,}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo!=bar}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{foo=~[a-z]+}', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: '{foo!~[a-z]+}', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{foo=🙂}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{foo=🙂bar}', am: [['foo', '=', '🙂bar']], pw: 'same' },
  { input: 'foo=bar', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: 'foo=bar,', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: 'foo!=bar', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: 'foo=~[a-z]+', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: 'foo!~[a-z]+', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"="bar"}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{"foo"="bar",}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{"foo"!="bar"}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{"foo"=~"[a-z]+"}', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"=~"\\\\d+"}', am: [['foo', '=~', '\\d+']], pw: 'same' },
  { input: '{"foo"!~"[a-z]+"}', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"="🙂"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="\\xf0\\x9f\\x99\\x82"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="\\U0001f642"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="🙂bar"}', am: [['foo', '=', '🙂bar']], pw: 'same' },
  { input: '{"foo"="bar\\n"}', am: [['foo', '=', 'bar\n']], pw: 'same' },
  { input: '{"foo"="bar\\t"}', am: [['foo', '=', 'bar\t']], pw: 'same' },
  { input: '{"foo"="\\"bar\\""}', am: [['foo', '=', '"bar"']], pw: 'same' },
  { input: '{"foo"="bar\\\\"}', am: [['foo', '=', 'bar\\']], pw: 'same' },
  { input: '"foo"="bar"', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '"foo"="bar",', am: [['foo', '=', 'bar']], pw: 'same' },
  {
    input: '{foo=bar,bar!=baz}',
    am: [
      ['foo', '=', 'bar'],
      ['bar', '!=', 'baz'],
    ],
    pw: 'same',
  },
  {
    input: '{foo="bar",bar!="baz"}',
    am: [
      ['foo', '=', 'bar'],
      ['bar', '!=', 'baz'],
    ],
    pw: 'same',
  },
  {
    input: 'foo=bar,bar!=baz',
    am: [
      ['foo', '=', 'bar'],
      ['bar', '!=', 'baz'],
    ],
    pw: 'same',
  },
  {
    input: 'foo="bar",bar!="baz"',
    am: [
      ['foo', '=', 'bar'],
      ['bar', '!=', 'baz'],
    ],
    pw: 'same',
  },
  { input: ',', am: 'error', pw: 'same' },
  { input: '{,}', am: 'error', pw: 'same' },
  { input: '{', am: 'error', pw: 'same' },
  { input: '}', am: 'error', pw: 'same' },
  { input: 'foo=bar}', am: 'error', pw: 'same' },
  { input: '{foo=bar', am: 'error', pw: 'same' },
  { input: '{foo=:"bar"}', am: 'error', pw: 'same' },
  { input: '{foo="bar\\w"}', am: 'error', pw: 'same' },
  { input: '{"foo"=~"\\d+"}', am: 'error', pw: 'same' },
  { input: '{foo=bar\\n}', am: 'error', pw: 'same' },
  { input: '{"foo"="\\xf0\\x9f"}', am: 'error', pw: 'same' },
];

describe(`${UTF8_FILE} TestMatchers (Alertmanager's current parser)`, () => {
  it.each(utf8ListCases.map((c) => [c.input, c]))('%s', (_, c) => checkParse(c, parseMatchers));
});

const utf8SingleCases: ParseCase[] = [
  { input: '{foo=bar}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo=bar,}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{foo!=bar}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{foo=~[a-z]+}', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: '{foo!~[a-z]+}', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{foo=🙂}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="\\xf0\\x9f\\x99\\x82"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="\\U0001f642"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{foo=🙂bar}', am: [['foo', '=', '🙂bar']], pw: 'same' },
  { input: 'foo=bar', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: 'foo=bar,', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: 'foo!=bar', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: 'foo=~[a-z]+', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: 'foo!~[a-z]+', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"="bar"}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{"foo"="bar",}', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '{"foo"!="bar"}', am: [['foo', '!=', 'bar']], pw: 'same' },
  { input: '{"foo"=~"[a-z]+"}', am: [['foo', '=~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"!~"[a-z]+"}', am: [['foo', '!~', '[a-z]+']], pw: 'same' },
  { input: '{"foo"="🙂"}', am: [['foo', '=', '🙂']], pw: 'same' },
  { input: '{"foo"="🙂bar"}', am: [['foo', '=', '🙂bar']], pw: 'same' },
  { input: '{"foo"="bar\\n"}', am: [['foo', '=', 'bar\n']], pw: 'same' },
  { input: '{"foo"="bar\\t"}', am: [['foo', '=', 'bar\t']], pw: 'same' },
  { input: '{"foo"="\\"bar\\""}', am: [['foo', '=', '"bar"']], pw: 'same' },
  { input: '{"foo"="bar\\\\"}', am: [['foo', '=', 'bar\\']], pw: 'same' },
  { input: '"foo"="bar"', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '"foo"="bar",', am: [['foo', '=', 'bar']], pw: 'same' },
  { input: '', am: 'error', pw: 'same' },
  { input: '{}', am: 'error', pw: 'same' },
  { input: 'foo=bar,bar=baz', am: 'error', pw: 'same' },
  { input: 'foo="\\xf0\\x9f"', am: 'error', pw: 'same' },
];

describe(`${UTF8_FILE} TestMatcher (one matcher: parseMatcher)`, () => {
  it.each(utf8SingleCases.map((c) => [c.input, c]))('%s', (_, c) => checkParse(c, single));
});

// ------------------------------------------------------------------ pkg/labels/matcher_test.go

const MATCHER_FILE = 'pkg/labels/matcher_test.go';
const matchCases: Array<[MatchOp, string, string, boolean]> = [
  ['=', 'bar', 'bar', true],
  ['=', 'bar', 'foo-bar', false],
  ['!=', 'bar', 'bar', false],
  ['!=', 'bar', 'foo-bar', true],
  ['=~', 'bar', 'bar', true],
  ['=~', 'bar', 'foo-bar', false],
  ['=~', '.*bar', 'foo-bar', true],
  ['!~', 'bar', 'bar', false],
  ['!~', 'bar', 'foo-bar', true],
  ['!~', '.*bar', 'foo-bar', false],
  ['=~', 'foo.bar', 'foo-bar', true],
  ['=~', 'foo\\.bar', 'foo-bar', false],
  ['=~', 'foo\\.bar', 'foo.bar', true],
  ['=', 'foo\nbar', 'foo\nbar', true],
  ['=~', 'foo.bar', 'foo\nbar', false],
  ['=~', '(?s)foo.bar', 'foo\nbar', true],
  ['=', '~!="', '~!="', true],
];

describe(`${MATCHER_FILE} TestMatcher`, () => {
  it.each(matchCases)('%s %j on %j → %s', (op, value, input, want) => {
    const m: Matcher = { label: 'foo', op, value };
    expect(matcherProblem(m)).toBeUndefined();
    expect(matches(m, { foo: input })).toBe(want);
  });
});

const stringCases: Array<[string, MatchOp, string, string]> = [
  ['foo', '=', 'bar', 'foo="bar"'],
  ['foo', '!=', 'bar', 'foo!="bar"'],
  ['foo', '=~', 'bar', 'foo=~"bar"'],
  ['foo', '!~', 'bar', 'foo!~"bar"'],
  ['foo', '=', 'back\\slash', 'foo="back\\\\slash"'],
  ['foo', '=', 'double"quote', 'foo="double\\"quote"'],
  ['foo', '=', 'new\nline', 'foo="new\\nline"'],
  ['foo', '=', 'tab\tstop', 'foo="tab\tstop"'],
  ['foo', '=', '🙂', 'foo="🙂"'],
  ['foo!', '!=', 'bar', '"foo!"!="bar"'],
  ['foo🙂', '=', 'bar', 'foo🙂="bar"'],
  ['foo bar', '=', 'baz', '"foo bar"="baz"'],
];

describe(`${MATCHER_FILE} TestMatcherString (formatMatcher)`, () => {
  it.each(stringCases)('%j %s %j → %s', (label, op, value, want) => {
    const m: Matcher = { label, op, value };
    expect(formatMatcher(m)).toBe(want);
    expect(parseMatcher(want)).toEqual(m);
  });
});
// TestMatcherJSONMarshal / TestMatcherJSONUnmarshal (4 + 5 cases) test Alertmanager's v1 API JSON form
// ({name, value, isRegex, isEqual}); pipewatch has no such API, its matchers are {label, op, value}.
const MATCHER_JSON_CASES_NOT_PORTED = 9;

// ------------------------------------------------------------------ silence/silence_test.go

const SILENCE_FILE = 'silence/silence_test.go';

const qMatchesCases: Array<[string[][], boolean]> = [
  [[['job = test']], true],
  [[['job != test']], false],
  [[['job = test', 'method = POST']], false],
  [[['job = test', 'method != POST']], true],
  [[['path =~ "/user/.+"']], true],
  [[['path !~ "/user/.+"']], false],
  [[['path =~ "/user/.+"', 'path =~ "/nothing/.+"']], false],
  [[['method != GET'], ['method =~ "GET|POST"', 'job = test']], true],
  [[['method = GET'], ['method =~ "GET|POST"', 'job = test']], true],
  [[['method != GET'], ['method =~ "GET|POST"', 'job != test']], false],
];

describe(`${SILENCE_FILE} TestQMatches (which silences hold back an alert)`, () => {
  const alert = { monitorId: 'm', labels: { job: 'test', instance: 'web-1', path: '/user/profile', method: 'GET' } };
  // Alertmanager's silences hold matcher sets (any set matching silences); a pipewatch silence holds one
  // set, so a row with several sets is several silences.
  it.each(qMatchesCases)('%j → %s', (sets, drop) => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    const silences: Silence[] = sets.map((texts, i) => {
      const ms = silenceMatchers(texts);
      if (typeof ms === 'string') throw new Error(ms);
      return {
        id: `s${i}`,
        matchers: ms,
        startsAt: '2026-11-26T11:00:00Z',
        endsAt: '2026-11-26T13:00:00Z',
        createdBy: 'alice',
        reason: 'test',
      };
    });
    const muted = muteReason(alert, { now, silences, maintenance: [], inhibit: [], active: [] });
    expect(muted?.kind === 'silence').toBe(drop);
  });
});

// [name, op, value, classic-mode error, UTF-8-mode error]. pipewatch follows Alertmanager's default
// mode, whose label names are UTF-8's (any non-empty UTF-8); a JavaScript string holds no invalid
// UTF-8 bytes, so Go's "\xff" is a lone surrogate here.
const validateMatcherCases: Array<[string, string, string, string, string]> = [
  ['a', '=', 'b', '', ''],
  ['a', '!=', 'b', '', ''],
  ['a', '=~', 'b', '', ''],
  ['a', '!~', 'b', '', ''],
  ['00', '=', 'a', 'invalid label name', ''],
  ['🙂', '=', 'a', 'invalid label name', ''],
  ['a', '=~', '((', 'invalid regular expression', 'invalid regular expression'],
  ['a', '!~', '))', 'invalid regular expression', 'invalid regular expression'],
  ['a', '=', '\uD800', 'invalid label value', 'invalid label value'],
  ['a', '=', '🙂', '', ''],
  ['a', '333', 'b', 'unknown matcher type', 'unknown matcher type'],
];

describe(`${SILENCE_FILE} TestValidateClassicMatcher / TestValidateUTF8Matcher (matcherProblem)`, () => {
  const pipewatchWords: Record<string, RegExp> = {
    'invalid regular expression': /does not compile/,
    'invalid label value': /label value .* is not valid UTF-8/,
    'unknown matcher type': /unknown operator "333"; use =, !=, =~ or !~/,
  };
  it.each(validateMatcherCases)('%j %s %j: classic %j, UTF-8 %j', (label, op, value, classic, utf8) => {
    const problem = matcherProblem({ label, op: op as MatchOp, value });
    if (utf8 === '') expect(problem).toBeUndefined();
    else expect(problem).toMatch(pipewatchWords[utf8]!);
  });
});

const base = { matchers: ['a = b'], durationMs: 3_600_000, createdBy: 'alice', reason: 'test' };
const validateSilenceCases: Array<[string, Record<string, unknown>, string, Outcome, RegExp | undefined]> = [
  // Alertmanager accepts a silence that ends as it starts; pipewatch wants a length (it would hold nothing back).
  ['starts = ends', { ...base, durationMs: 0 }, '', 'write', /the duration must be positive, e.g. --for 2h/],
  [
    'an empty matcher set',
    { ...base, matchers: ['{}'] },
    'matcher set 0 is empty',
    'same',
    /needs at least one matcher, e.g. --match 'pipeline = intel'/,
  ],
  ['a label name 00', { ...base, matchers: ['a = b', '00 = b'] }, 'invalid label matcher', 'current', undefined],
  [
    'all match the empty string',
    { ...base, matchers: ['a = ""', 'b =~ ".*"'] },
    'at least one matcher must not match the empty string',
    'same',
    /would silence every alert.*add one that needs a value/,
  ],
  [
    'end before start',
    { ...base, durationMs: -1000 },
    'end time must not be before start time',
    'same',
    /the duration must be positive/,
  ],
  ['zero start', { ...base, startsAt: '' }, 'invalid zero start timestamp', 'same', /is not a time; write an ISO time/],
  [
    'zero end',
    { ...base, durationMs: undefined },
    'invalid zero end timestamp',
    'same',
    /the duration must be positive/,
  ],
];

describe(`${SILENCE_FILE} TestValidateSilence (silenceRequestProblem, at the CLI and in the Update validator)`, () => {
  it.each(validateSilenceCases)('%s (Alertmanager: %j)', (_, request, amError, outcome, pipewatch) => {
    const problem = silenceRequestProblem(request as never);
    if (pipewatch) expect(problem).toMatch(pipewatch);
    else expect(problem).toBeUndefined();
    if (outcome === 'same') expect(amError).not.toBe('');
  });
});

// ------------------------------------------------------------------ pipewatch's own cases

describe('what operators write (pipewatch)', () => {
  it('decodes escapes as both Alertmanager parsers agree, and refuses \\d inside quotes with the text to write', () => {
    expect(parseMatcher('host =~ "web-\\\\d+"')).toEqual({ label: 'host', op: '=~', value: 'web-\\d+' });
    const refused = parseMatcher('host =~ "web-\\d+"');
    expect(refused).toContain('write host=~"web-\\\\d+"');
    expect(matches(parseMatcher('host =~ "web-\\\\d+"') as Matcher, { host: 'web-12' })).toBe(true);
  });

  it('reads a comma-separated text as a list, and refuses it where one matcher is expected', () => {
    expect(parseMatchers('foo=bar,dings!=bums')).toEqual(
      toMatchers([
        ['foo', '=', 'bar'],
        ['dings', '!=', 'bums'],
      ]),
    );
    expect(parseMatcher('foo=bar,dings!=bums')).toMatch(
      /holds 2 matchers where one is expected; write them one per item: 'foo="bar"', 'dings!="bums"'/,
    );
  });

  it('refuses an escape the two parsers read differently, naming both readings', () => {
    const refused = parseMatchers('foo="a\\tb"');
    expect(refused).toMatch(/means two things/);
    expect(refused).toContain('write foo="a\\\\tb" for the classic reading');
  });

  it('keeps the forms pipewatch has always documented', () => {
    expect(parseMatcher('pipeline = intel')).toEqual({ label: 'pipeline', op: '=', value: 'intel' });
    expect(parseMatcher('severity =~ "warning|critical"')).toEqual({
      label: 'severity',
      op: '=~',
      value: 'warning|critical',
    });
    expect(parseMatcher('team != lake')).toEqual({ label: 'team', op: '!=', value: 'lake' });
    expect(parseMatcher('env !~ "dev.*"')).toEqual({ label: 'env', op: '!~', value: 'dev.*' });
    expect(parseMatcher('team = ""')).toEqual({ label: 'team', op: '=', value: '' });
  });

  it('uses RE2, anchored: no lookahead, and (a+)+ is linear', () => {
    expect(parseMatcher('x =~ "(?=a)"')).toMatch(/does not compile/);
    const m = parseMatcher('x =~ "(a+)+b"') as Matcher;
    const started = Date.now();
    expect(matches(m, { x: `${'a'.repeat(50_000)}c` })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(matchesAll([parseMatcher('x =~ "warn"') as Matcher], { x: 'warning' })).toBe(false);
  });

  it('refuses an empty label name', () => {
    expect(parseMatcher('"" = x')).toMatch(/label name cannot be empty/);
  });

  it('refuses a silence whose only matcher is a negation of nothing? no: Alertmanager accepts a!~"x" alone', () => {
    expect(silenceMatchers(['a !~ "x"'])).toEqual([{ label: 'a', op: '!~', value: 'x' }]);
    expect(silenceMatchers(['a =~ ".*"'])).toMatch(/would silence every alert/);
    expect(silenceMatchers([])).toMatch(/at least one matcher/);
  });
});

describe('matchers in the configuration', () => {
  const config = (routes: string) => `version: 1
project: p
defaults:
  schedule: { every: 1m }
  notify: [dev]
channels:
  dev: { type: console }
connectors:
  db: { type: postgres, url: postgres://r@h:5432/d }
routing:
  routes:
${routes}
monitors:
  - id: m
    connector: db
    check: { type: freshness, dataset: t, timestamp: ts }
    rules: [{ above: 1h }]
`;
  const load = (routes: string) => {
    try {
      return parseConfig(config(routes), 'pipewatch.yaml', { env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
  };

  it('takes one matcher per item, several in one item, and the brace form, all of which must match', () => {
    const loaded = load(
      `    - matchers: ['pipeline = intel', '{team="lake", env!~"dev.*"}', "a=b,c=~d"]\n      receiver: default`,
    );
    expect(typeof loaded).not.toBe('string');
    const route = (loaded as Exclude<typeof loaded, string>).monitors[0]!.notification.routing.routes[0]!;
    expect(route.matchers).toEqual(
      toMatchers([
        ['pipeline', '=', 'intel'],
        ['team', '=', 'lake'],
        ['env', '!~', 'dev.*'],
        ['a', '=', 'b'],
        ['c', '=~', 'd'],
      ]),
    );
  });

  it('refuses a classic-only matcher at its file:line with the text to write', () => {
    const message = load(`    - matchers: ['severity = critical', 'host =~ "web-\\d+"']\n      receiver: default`);
    expect(message).toMatch(
      /pipewatch\.yaml:\d+:\d+: routing\.routes\[0\]\.matchers\[1\]: .*\\d is not an escape.*write host=~"web-\\\\d\+"/,
    );
  });
});

describe('formatMatcher round trip', () => {
  const tricky = [
    '',
    'plain',
    'with space',
    'quote"inside',
    'back\\slash',
    'trailing\\',
    'new\nline',
    'tab\there',
    'cr\rhere',
    '\u0000nul',
    'uni 🙂 é 中文',
    '\u2028sep',
    'a,b=c',
    '{braces}',
    '}',
    "'single'",
    '`tick`',
    '\\d+',
    '"',
    '\\"',
    ' lead and trail ',
  ];
  const names = [
    'foo',
    'a.b',
    'a:b',
    '00',
    '🙂',
    'with space',
    'quote"name',
    'back\\slash',
    'new\nline',
    'x=y',
    '{',
    '!',
  ];
  const ops: MatchOp[] = ['=', '!=', '=~', '!~'];
  it('prints every matcher as text that parses back to it, alone and in lists', () => {
    let checked = 0;
    for (const label of names) {
      for (const value of tricky) {
        for (const op of ops) {
          const m: Matcher = { label, op, value };
          if (matcherProblem(m)) continue; // a regex that does not compile (e.g. "{braces}" is fine, "\\" alone is not)
          expect([formatMatcher(m), parseMatcher(formatMatcher(m))]).toEqual([formatMatcher(m), m]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(800);
    const list = toMatchers([
      ['a', '=', 'x,y'],
      ['b b', '!~', '"q"'],
      ['c', '=~', 'new\nline'],
    ]);
    expect(parseMatchers(formatMatchers(list))).toEqual(list);
    expect(parseMatchers(list.map(formatMatcher).join(', '))).toEqual(list);
  });

  it('round-trips 5,000 seeded random matchers', () => {
    let seed = 42;
    // mulberry32: a seeded generator whose sequence does not repeat within the test.
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      '_',
      '.',
      ':',
      '-',
      ' ',
      '\t',
      '\n',
      '\r',
      '"',
      "'",
      '`',
      '\\',
      ',',
      '=',
      '!',
      '~',
      '{',
      '}',
      'é',
      '🙂',
      '\u00a0',
      '\u2028',
      '\u0000',
      'n',
      'x',
      'u',
    ];
    const str = (min: number) => Array.from({ length: min + rand(8) }, () => alphabet[rand(alphabet.length)]).join('');
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const m: Matcher = { label: str(1), op: rand(2) ? '=' : '!=', value: str(0) };
      expect(parseMatcher(formatMatcher(m))).toEqual(m);
      seen.add(formatMatcher(m));
    }
    expect(seen.size).toBeGreaterThan(4_900);
  });
});

// ------------------------------------------------------------------ the counts in docs/COMPATIBILITY.md

type Counts = { same: number; write: number; current: number; notPorted: number };
const tallyOf = (outcomes: Outcome[], notPorted = 0): Counts => ({
  same: outcomes.filter((o) => o === 'same').length,
  write: outcomes.filter((o) => o === 'write').length,
  current: outcomes.filter((o) => o === 'current').length,
  notPorted,
});
const counts: Record<string, Counts> = {
  [CLASSIC_FILE]: tallyOf(classicCases.map(outcomeOf)),
  [UTF8_FILE]: tallyOf([...utf8ListCases, ...utf8SingleCases].map(outcomeOf)),
  [MATCHER_FILE]: tallyOf(
    [...matchCases, ...stringCases].map((): Outcome => 'same'),
    MATCHER_JSON_CASES_NOT_PORTED,
  ),
  [SILENCE_FILE]: tallyOf([
    ...qMatchesCases.map((): Outcome => 'same'),
    // Each row is two cases: the UTF-8-mode one, and the classic-mode one (which differs on label names).
    ...validateMatcherCases.flatMap(([, , , classic, utf8]): Outcome[] => [
      'same',
      classic === utf8 ? 'same' : 'current',
    ]),
    ...validateSilenceCases.map(([, , , outcome]) => outcome),
  ]),
};

describe('docs/COMPATIBILITY.md, section alertmanager-matchers', () => {
  const page = readFileSync(new URL('../../docs/COMPATIBILITY.md', import.meta.url), 'utf8');
  const start = page.indexOf('<!-- section: alertmanager-matchers -->');
  const end = page.indexOf('\n## ', start);
  const section = page.slice(start, end < 0 ? undefined : end);
  it.each(Object.entries(counts))('states the counts of %s', (file, t) => {
    const total = t.same + t.write + t.current + t.notPorted;
    expect(section).toContain(
      `${t.same + t.write} of ${total} \`${file}\` cases pass (${t.same} agree, ${t.write} refused with the text to write, ` +
        `${t.current} read as Alertmanager's default mode reads them, ${t.notPorted} not ported)`,
    );
  });
});
