// Issue 18: every cron field and every time zone in the configuration is
// checked at load, as its consumer will read it, with file:line — a monitor
// schedule as the Temporal server parses a cron string (config/temporal-cron.ts),
// a producer's `expected` schedule and a maintenance window as pipewatch
// evaluates them (evaluation/cron.ts, robfig/cron's dialect).
import { ConfigError, parseConfig, type ConfigProblem } from '../../config/load.js';
import { temporalCronProblem } from '../../config/temporal-cron.js';

const ENV = { LAKE_PASSWORD: 'pw' };

function config(parts: { schedule?: string; expected?: string; maintenance?: string; report?: string }): string {
  return `version: 1
project: lake-team
connectors:
  lake:
    type: postgres
    url: postgres://reader@db.internal:5432/lake
    password: \${LAKE_PASSWORD}
channels:
  console: { type: console }
defaults:
  notify: [console]
monitors:
  - id: parsed-freshness
    pipeline: intel
    connector: lake
    schedule:
${parts.schedule ?? '      every: 1m'}
    check:
      type: freshness
      dataset: lake.parsed
      timestamp: parsed_at
${parts.expected ?? ''}
    rules:
      - above: 15m
${parts.report ? `pipelines:\n  intel:\n    report:\n      schedule:\n${parts.report}\n` : ''}${parts.maintenance ? `maintenance:\n  - id: nightly\n${parts.maintenance}\n    duration: 1h\n    reason: reindex\n    owner: lake-team\n` : ''}`;
}

function problems(text: string): ConfigProblem[] {
  try {
    parseConfig(text, 'pipewatch.yaml', { env: ENV });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const located = (ps: ConfigProblem[]) => ps.map((p) => `${p.line}: ${p.path}: ${p.message}`);
// The line of the first line holding `needle`, 1-based: where the problem must be located.
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('monitor schedules: cron as Temporal reads it', () => {
  it.each([
    ['61 */2 * * *', /Minute is not in range \[0-59\]/],
    ['0 25 * * *', /Hour is not in range \[0-23\]/],
    ['0 0 ? * 5', /Temporal has no "\?": write \*/],
    ['0 0 30 2 *', /never fires/],
    ['0 0 1 * 1 2020', /never fires/],
    ['TZ=Europe/Berlin 0 6 * * *', /write the zone in schedule.timezone: Europe\/Berlin/],
    ['@every', /needs an interval/],
    ['@every 5x', /not a duration/],
    ['*/5 * * *', /five fields/],
    ['@fortnightly', /five fields/],
  ])('%s is refused at load with its line', (cron, message) => {
    const text = config({ schedule: `      cron: "${cron}"` });
    expect(located(problems(text))).toEqual([
      expect.stringMatching(
        new RegExp(`^${lineOf(text, 'cron:')}: monitors\\[0\\]\\.schedule\\.cron: .*${message.source}`),
      ),
    ]);
  });

  it.each([
    '*/5 * * * *',
    '@hourly',
    '@every 90m',
    '@every 2d/3h',
    '0 9 * * mon-fri',
    '0 9 * * 1/2',
    '0 0 * * 7',
    '30 0 9 * * * 2030',
    '0 12 * jan *  # at noon',
  ])('%s loads (Temporal accepts it)', (cron) => {
    expect(located(problems(config({ schedule: `      cron: "${cron}"` })))).toEqual([]);
  });

  it('a report schedule is checked the same way', () => {
    expect(temporalCronProblem('0 25 * * *')).toMatch(/Hour is not in range/);
  });

  it('a time zone: unknown or in the wrong letter case', () => {
    const text = config({ schedule: '      cron: "0 6 * * *"\n      timezone: Asia/Seol' });
    expect(located(problems(text))).toEqual([
      `${lineOf(text, 'Asia/Seol')}: monitors[0].schedule.timezone: "Asia/Seol" is not an IANA time zone such as "Europe/Berlin" or "UTC"`,
    ]);
    expect(located(problems(config({ schedule: '      cron: "0 6 * * *"\n      timezone: asia/seoul' })))).toEqual([
      expect.stringMatching(/write "Asia\/Seoul"/),
    ]);
  });
});

describe('a producer schedule (expected) and maintenance windows: cron as pipewatch evaluates it', () => {
  it.each([
    ['61 */2 * * *', /minute "61" is out of range \(0-59\)/],
    ['0 25 * * *', /hour "25" is out of range \(0-23\)/],
    ['0 0 30 2 *', /never fires/],
    ['0 9 * * 7', /Sunday is 0/],
    ['@every 1h', /@every has no fixed times/],
    ['TZ=Asia/Seoul 0 6 * * *', /write the zone in timezone: Asia\/Seoul/],
  ])('expected.cron %s is refused with its line', (cron, message) => {
    const text = config({ expected: `      expected: { cron: "${cron}", timezone: UTC, grace: 30m }` });
    expect(located(problems(text))).toEqual([
      expect.stringMatching(
        new RegExp(`^${lineOf(text, 'expected:')}: monitors\\[0\\]\\.check\\.expected\\.cron: .*${message.source}`),
      ),
    ]);
  });

  it('expected.timezone: Asia/Seol is refused at load (it used to load and then never check)', () => {
    const text = config({ expected: '      expected: { cron: "0 */6 * * *", timezone: Asia/Seol, grace: 30m }' });
    expect(located(problems(text))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${lineOf(text, 'Asia/Seol')}: monitors\\[0\\]\\.check\\.expected\\.timezone: "Asia\\/Seol" is not an IANA time zone`,
        ),
      ),
    ]);
  });

  it('maintenance windows', () => {
    const ps = problems(config({ maintenance: '    cron: "0 0 31 4 *"\n    timezone: Europe/Berln' }));
    const found = located(ps);
    expect(found).toHaveLength(2);
    expect(found.some((l) => /maintenance\[0\]\.cron: .*never fires/.test(l))).toBe(true);
    expect(found.some((l) => /maintenance\[0\]\.timezone: "Europe\/Berln" is not an IANA/.test(l))).toBe(true);
  });

  it('valid ones load', () => {
    expect(
      problems(
        config({
          expected: '      expected: { cron: "0 */6 * * *", timezone: Europe/Berlin, grace: 30m }',
          maintenance: '    cron: "0 2 * * *"\n    timezone: Europe/Berlin',
        }),
      ),
    ).toEqual([]);
  });
});
