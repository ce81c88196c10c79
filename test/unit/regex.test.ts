// RE2 semantics for every user-written regular expression (evaluation/regex.ts). Cases from RE2's
// syntax as Prometheus and Alertmanager document it (regexes in matchers are fully anchored).
import { compileRegex, regexProblem } from '../../evaluation/regex.js';

describe('RE2 regular expressions', () => {
  test.each([
    ['(?i)web-\\d+', 'WEB-12', true, true],
    ['web-\\d+', 'web-12', true, true],
    ['web-\\d+', 'xweb-12', false, true],
    ['\\p{L}+', 'héllo', true, true],
    ['[[:alpha:]]+', 'abc', true, true],
    ['[[:alpha:]]+', 'ab1', false, true],
    ['a|b', 'ab', false, true],
    ['x', 'ab', false, false],
    ['', '', true, true],
  ])('%s on %j: anchored %s, found %s', (pattern, input, anchored, found) => {
    expect(compileRegex(pattern, { anchored: true }).test(input)).toBe(anchored);
    expect(compileRegex(pattern).test(input)).toBe(found);
  });

  test('a nested quantifier runs in linear time', () => {
    const input = `${'a'.repeat(50_000)}!`;
    expect(compileRegex('(a+)+$', { anchored: true }).test(input)).toBe(false);
  });

  test.each([
    ['(a', /missing closing \)/],
    ['(?=a)', /no lookahead or lookbehind/],
    ['(a)\\1', /no backreferences/],
  ])('%s is refused with RE2s reason', (pattern, reason) => {
    expect(regexProblem(pattern)).toMatch(reason);
  });
});
