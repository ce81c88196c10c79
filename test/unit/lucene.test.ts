import { fieldValue, matchesQuery, parseQuery, QuerySyntaxError } from '../../evaluation/lucene.js';

const doc = {
  '@timestamp': '2026-11-26T10:00:00Z',
  'log.level': 'error',
  message: 'parse failed for leak-42.html',
  labels: { pipeline: 'intel', stage: 'parse' },
  event: { code: 'E_PARSE', duration: 120 },
};
const q = (text: string) => matchesQuery(parseQuery(text), doc);

describe('log queries (Lucene syntax)', () => {
  it.each([
    ['log.level:error', true],
    ['log.level:warn', false],
    ['labels.pipeline:intel AND labels.stage:parse', true],
    ['labels.pipeline:intel labels.stage:load', false],
    ['labels.pipeline:(lake OR intel)', true],
    ['NOT log.level:error', false],
    ['-labels.stage:parse', false],
    ['event.code:E_*', true],
    ['event.duration:>100', true],
    ['event.duration:<=100', false],
    ['message:"parse failed"', true],
    ['failed', true],
    ['(log.level:warn OR labels.stage:parse) AND event.code:E_PARSE', true],
    ['*', true],
    ['', true],
  ])('%s → %s', (text, expected) => expect(q(text)).toBe(expected));

  it('reads flat and nested field names alike', () => {
    expect(fieldValue(doc, 'log.level')).toBe('error');
    expect(fieldValue(doc, 'labels.pipeline')).toBe('intel');
    expect(fieldValue({ log: { level: 'warn' } }, 'log.level')).toBe('warn');
  });

  it('refuses what it cannot read', () => {
    expect(() => parseQuery('(log.level:error')).toThrow(QuerySyntaxError);
    expect(() => parseQuery('labels.pipeline:(a OR b')).toThrow(/not closed/);
  });
});
