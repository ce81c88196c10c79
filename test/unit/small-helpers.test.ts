// The one median, the one file-name glob and the one URL redactor (evaluation/): each case from
// its definition, written out by hand.
import { globMatches, globRegExp, hasWildcard } from '../../evaluation/glob.js';
import { median } from '../../evaluation/history.js';
import { redactUrl } from '../../evaluation/redact-url.js';

describe('median', () => {
  it.each([
    ['one value', [7], 7],
    ['odd count, unsorted', [9, 1, 5], 5],
    ['even count: the mean of the two middle values', [4, 1, 3, 2], 2.5],
    ['even count of two', [10, 20], 15],
    ['duplicates', [2, 2, 9, 2], 2],
    ['negative values', [-3, -1, -2], -2],
  ])('%s', (_name, values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('is NaN without values, and leaves its input as it was', () => {
    expect(median([])).toBeNaN();
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('file-name glob', () => {
  it.each([
    ['*.ndjson', 'app.ndjson', true],
    ['*.ndjson', '.hidden.ndjson', true],
    ['*.ndjson', 'app.ndjson.1', false],
    ['*.ndjson', 'appXndjson', false],
    ['app-?.log', 'app-1.log', true],
    ['app-?.log', 'app-.log', false],
    ['app-?.log', 'app-12.log', false],
    ['app-?.log', 'app-é.log', true],
    ['app-?.log', 'app-😀.log', true],
    ['*', 'a/b', false],
    ['?', '/', false],
    ['app[1].log', 'app[1].log', true],
    ['app[1].log', 'app1.log', false],
    ['{a,b}.log', '{a,b}.log', true],
    ['{a,b}.log', 'a.log', false],
    ['a+b$(c)^.yaml', 'a+b$(c)^.yaml', true],
    ['back\\slash*', 'back\\slash.yaml', true],
    ['jobs-*.yaml', 'jobs-.yaml', true],
    ['jobs-*.yaml', 'jobs-a.yml', false],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
    expect(globRegExp(pattern).test(name)).toBe(expected);
  });

  it('tells a pattern from a plain name', () => {
    expect(hasWildcard('logs/*.ndjson')).toBe(true);
    expect(hasWildcard('app-?.log')).toBe(true);
    expect(hasWildcard('app[1].log')).toBe(false);
  });
});

describe('URL redactor', () => {
  // Built at run time: no literal secret in the test.
  const secret = `pw-${Math.random().toString(36).slice(2)}`;

  it.each([
    [
      'postgres',
      `postgres://reader:${secret}@db.internal:5432/lake?sslmode=require`,
      'postgres://reader:***@db.internal:5432/lake?sslmode=require',
    ],
    ['amqp', `amqp://guest:${secret}@127.0.0.1:5672/%2F`, 'amqp://guest:***@127.0.0.1:5672/%2F'],
    ['a URL-encoded password', `postgres://u:${encodeURIComponent(`${secret}@/:`)}@h/db`, 'postgres://u:***@h/db'],
  ])('replaces the password of a %s URL and keeps the rest', (_name, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toContain(secret);
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://reader@db.internal/lake')).toBe('postgres://reader@db.internal/lake');
    expect(redactUrl('amqp://127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
  });

  it('does not echo what is not a URL (it may be a secret)', () => {
    expect(redactUrl(secret)).toBe('(an unparsable URL)');
    expect(redactUrl('')).toBe('(an unparsable URL)');
  });
});
