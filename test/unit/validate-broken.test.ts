// `pipewatch validate` is the whole review: broken configurations — the README's own examples
// mutated the way people get them wrong, and the loader's hard cases (repeated keys, empty files,
// deep nesting, huge values, problems in several layers at once) — each refused with
// file:line and the field, in one pass, by the same loader `schedules sync` uses; lints that are
// certainly right, shown as warnings; and the built CLI's `validate --json` for CI.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  ConfigError,
  formatProblem,
  isError,
  parseConfig,
  validateConfigText,
  type ConfigProblem,
} from '../../config/load.js';
import { CLI, runCli } from '../support/cli.js';

/** A password written into config as a literal, made at run time (the tests check such literals are refused). */
const SAMPLE_SECRET = `pw${Math.random().toString(36).slice(2, 10)}`;

const FILE = 'pipewatch.yaml';

// ---------------------------------------------------------------- the README's examples
// The reference moved from README.md to docs/ (the README keeps one short example, checked by
// test/unit/docs.test.ts); "README" below means these pages, in this order.

const REFERENCE = ['docs/CONFIGURATION.md', 'docs/PERSPECTIVES.md', 'docs/INCIDENTS.md', 'docs/OPERATIONS.md'];
const README = REFERENCE.map((page) => readFileSync(page, 'utf8')).join('\n');
const BLOCKS = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const block = (startsWith: string): string => {
  const found = BLOCKS.find((b) => b.startsWith(startsWith));
  if (!found) throw new Error(`no yaml block of ${REFERENCE.join(', ')} starts with ${JSON.stringify(startsWith)}`);
  return found;
};

/** The README's first, complete example, as written. */
const README_FULL = block('version: 1\nproject: lake-team');

type Json = Record<string, unknown>;
function merge(into: Json, from: Json): Json {
  for (const [k, v] of Object.entries(from)) {
    const have = into[k];
    if (Array.isArray(have) && Array.isArray(v)) into[k] = [...have, ...v];
    else if (have && typeof have === 'object' && v && typeof v === 'object' && !Array.isArray(v))
      merge(have as Json, v as Json);
    else into[k] = v;
  }
  return into;
}

/**
 * Every README example together in one file: the full example, pipelines and stage counts, reports,
 * services, the rules example, cadence groups, routing and incidents, the results sink, logs,
 * Kubernetes and interventions — with the channels and the escalation policy they name declared.
 */
const README_ALL = (() => {
  const doc: Json = parse(README_FULL) as Json;
  const add = (text: string, edit: (j: Json) => void = () => undefined) => {
    const j = parse(text) as Json;
    edit(j);
    merge(doc, j);
  };
  add(block('connectors:\n  search:\n    type: elasticsearch'));
  add(block('pipelines:\n  intel:\n    stages: [ … ]'), (j) => delete ((j.pipelines as Json).intel as Json).stages);
  add(block('connectors:\n  partner-api:'));
  add(block('rules:\n  - anomaly:'), (j) => {
    const monitor = (doc.monitors as Json[]).find((m) => m.id === 'parsed-records-hourly')!;
    (monitor.rules as unknown[]).push(...(j.rules as unknown[]));
    delete j.rules;
  });
  add(block('cadenceGroups:'));
  add(block('routing:\n'));
  add(block('connectors:\n  search: { type: elasticsearch'));
  add(block('connectors:\n  logs:'));
  add(block('connectors:\n  prod-cluster:'));
  add(block('interventions:\n'));
  merge(doc, {
    channels: {
      'oncall-email': {
        type: 'email',
        smtp: { host: 'smtp.internal' },
        from: 'pipewatch@example.com',
        to: ['oncall@example.com'],
      },
      'lead-email': {
        type: 'email',
        smtp: { host: 'smtp.internal' },
        from: 'pipewatch@example.com',
        to: ['lead@example.com'],
      },
      'pager-hook': { type: 'webhook', url: 'https://pager.example.com/hook' },
    },
    escalations: { management: { steps: [{ after: '0s', notify: ['lead-email'] }] } },
  });
  return stringify(doc, { lineWidth: 0 });
})();

/** Index of a monitor in README_ALL, so paths below read by name. */
const m = (id: string): string => {
  const i = ((parse(README_ALL) as Json).monitors as Json[]).findIndex((x) => x.id === id);
  if (i < 0) throw new Error(`no monitor ${id} in the README`);
  return `monitors[${i}]`;
};

/** The example pipeline's configuration (`pipewatch demo`), as shipped. */
const EXAMPLE = readFileSync('examples/pipewatch.yaml', 'utf8');

function validate(text: string, env: NodeJS.ProcessEnv | false = false) {
  return validateConfigText(text, FILE, { env });
}

/** `text` with `from` (which must be there) replaced by `to`. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`${JSON.stringify(from)} is not in the file`);
  return text.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${JSON.stringify(needle)} is not in the file`);
  return text.slice(0, at).split('\n').length;
}

describe('the bases load cleanly: whatever fails below, fails because of its mutation', () => {
  it.each([
    ['README, first example', README_FULL],
    ['README, every example together', README_ALL],
    ['examples/pipewatch.yaml', EXAMPLE],
  ])('%s', (_name, text) => {
    const v = validate(text);
    expect(v.problems.map(formatProblem)).toEqual([]);
    expect(v.config!.monitors.length).toBeGreaterThan(1);
  });
});

// ---------------------------------------------------------------- mutated examples

interface Broken {
  name: string;
  base: string;
  from: string;
  to: string;
  /** The field the problem must name, as validate prints it. */
  path: string;
  message: RegExp;
  /** Text on the line the problem must point at (default: `to`). */
  at?: string;
  /** Checks other engineers are adding to the schema right now (issue 18): named in the report if still failing. */
  owner?: 'cron' | 'zone' | 'conditions' | 'matchers' | 'queries';
}

const FULL = README_FULL;
const ALL = README_ALL;

const BROKEN: Broken[] = [
  // README, first example: what people get wrong by hand.
  {
    name: 'a typo in a key, with a suggestion',
    base: FULL,
    from: '    description: Newest',
    to: '    descripton: Newest',
    path: 'monitors[0].descripton',
    message: /^unknown field "descripton" \(did you mean "description"\?\)/,
  },
  {
    name: 'a typo in a nested key',
    base: FULL,
    from: 'statementTimeout: 30s',
    to: 'statementTimout: 30s',
    path: 'connectors.lake.statementTimout',
    message: /did you mean "statementTimeout"/,
  },
  {
    name: 'a word where a number belongs',
    base: FULL,
    from: 'pool: { max: 4 }',
    to: 'pool: { max: four }',
    path: 'connectors.lake.pool.max',
    message: /^expected .*got "four"$/,
    at: 'pool:',
  },
  {
    name: 'a list where a mapping belongs',
    base: FULL,
    from: '    pool: { max: 4 }',
    to: '    pool: [4]',
    path: 'connectors.lake.pool',
    message: /^expected a mapping, got a list$/,
  },
  {
    name: 'a duration without a unit',
    base: FULL,
    from: 'connectTimeout: 10s',
    to: 'connectTimeout: 10',
    path: 'connectors.lake.connectTimeout',
    message: /^expected a duration such as "30s", "5m" or "1h", got number 10$/,
  },
  {
    name: 'a duration in words',
    base: FULL,
    from: 'statementTimeout: 30s',
    to: 'statementTimeout: 30 secs',
    path: 'connectors.lake.statementTimeout',
    message: /^"30 secs" is not a duration; write it like "30s"/,
  },
  {
    name: 'a jitter that is not a duration',
    base: FULL,
    from: 'jitter: 10s',
    to: 'jitter: soon',
    path: 'monitors[0].schedule.jitter',
    message: /"soon" is not a duration/,
  },
  {
    name: 'an unknown connector, with a suggestion',
    base: FULL,
    from: '  - id: parsed-records-hourly\n    connector: lake',
    to: '  - id: parsed-records-hourly\n    connector: laek',
    path: 'monitors[1].connector',
    message: /^unknown connector "laek" \(did you mean "lake"\?\); declared connectors: lake$/,
    at: 'connector: laek',
  },
  {
    name: 'a duplicate monitor id',
    base: FULL,
    from: 'id: parsed-records-hourly',
    to: 'id: parsed-freshness',
    path: 'monitors[1].id',
    message: /^duplicate monitor id "parsed-freshness" \(first declared at monitors\[0\]\)$/,
    at: '  - id: parsed-freshness\n    connector',
  },
  {
    name: 'an unknown channel in defaults',
    base: FULL,
    from: 'notify: [data-oncall]',
    to: 'notify: [data-oncal]',
    path: 'defaults.notify[0]',
    message: /^unknown channel "data-oncal" \(did you mean "data-oncall"\?\)/,
  },
  {
    name: 'an unknown check type',
    base: FULL,
    from: 'type: count ',
    to: 'type: counts ',
    path: 'monitors[1].check.type',
    message: /^unknown type "counts"; expected one of: .*count/,
  },
  {
    name: 'an unknown connector type',
    base: FULL,
    from: 'type: postgres',
    to: 'type: postgresql',
    path: 'connectors.lake.type',
    message: /^unknown type "postgresql"; expected one of: .*postgres/,
  },
  {
    name: 'a missing required field',
    base: FULL,
    from: '      timestamp: parsed_at\n      uniqueId',
    to: '      uniqueId',
    path: 'monitors[1].check.timestamp',
    message: /^required; expected string$/,
    at: '      type: count',
  },
  {
    name: 'a duration threshold on a count',
    base: FULL,
    from: '      - below: 1\n',
    to: '      - below: 1h\n',
    path: 'monitors[1].rules[0].below',
    message: /^"1h" is a duration, but this check measures records; write a number$/,
  },
  {
    name: 'a range written high to low',
    base: FULL,
    from: 'outside: [1000, 50000]',
    to: 'outside: [50000, 1000]',
    path: 'monitors[1].rules[1].outside',
    message: /low to high/,
  },
  {
    name: 'an unknown severity',
    base: FULL,
    from: '        severity: critical\n        summary',
    to: '        severity: page\n        summary',
    path: 'monitors[0].rules[1].severity',
    message: /^expected "info" or "warning" or "critical", got "page"$/,
    at: 'severity: page',
  },
  {
    name: 'a password written into the file',
    base: FULL,
    from: 'password: ${SMTP_PASSWORD}',
    to: `password: ${SAMPLE_SECRET}`,
    path: 'channels.data-oncall.smtp.password',
    message: /a secret must be an environment reference/,
  },
  {
    name: 'a password inside the connection URL',
    base: FULL,
    from: 'postgres://reader@lake-db',
    to: `postgres://reader:${SAMPLE_SECRET}@lake-db`,
    path: 'connectors.lake.url',
    message: /the URL holds a password/,
  },
  {
    name: 'a runbook that is not a URL',
    base: FULL,
    from: 'runbook: https://runbooks.example.com/parsed-freshness',
    to: 'runbook: runbooks/parsed-freshness',
    path: 'monitors[0].runbook',
    message: /URL/i,
  },
  {
    name: 'an id with capitals and spaces',
    base: FULL,
    from: 'id: parsed-freshness',
    to: 'id: Parsed Freshness',
    path: 'monitors[0].id',
    message: /an id of lowercase letters/,
  },
  {
    name: 'flap control that never opens',
    base: FULL,
    from: 'flap: { failAfter: 2 }',
    to: 'flap: { failAfter: 0 }',
    path: 'monitors[0].flap.failAfter',
    message: />=1|at least 1|too small/i,
    at: 'failAfter: 0',
  },
  {
    name: 'an SQL statement as a table name',
    base: FULL,
    from: '      dataset: lake.parsed\n      timestamp: parsed_at\n      uniqueId',
    to: '      dataset: "lake.parsed; DROP TABLE x"\n      timestamp: parsed_at\n      uniqueId',
    path: 'monitors[1].check.dataset',
    message: /is not a table or column name/,
    at: 'DROP TABLE',
  },
  {
    name: 'a version that does not exist',
    base: FULL,
    from: 'version: 1',
    to: 'version: 2',
    path: 'version',
    message: /^expected 1, got number 2$/,
  },
  {
    name: 'both every and cron',
    base: FULL,
    from: '      cron: "*/5 * * * *"',
    to: '      every: 5m\n      cron: "*/5 * * * *"',
    path: 'monitors[0].schedule',
    message: /exactly one of "every"/,
    at: '      every: 5m\n      cron',
  },
  {
    name: 'an interval under a second',
    base: FULL,
    from: 'schedule: { every: 1h }',
    to: 'schedule: { every: 500ms }',
    path: 'monitors[1].schedule.every',
    message: /shortest interval is 1s/,
    at: 'every: 500ms',
  },
  {
    name: 'a time zone that does not exist',
    base: FULL,
    from: 'timezone: Europe/Berlin',
    to: 'timezone: Europe/Berln',
    path: 'monitors[0].schedule.timezone',
    message: /"Europe\/Berln" is not an IANA time zone/,
  },
  // Temporal's server loads zones by their exact name; Intl in Node accepts any case.
  {
    name: 'a time zone in the wrong case',
    base: FULL,
    from: 'timezone: Europe/Berlin',
    to: 'timezone: europe/berlin',
    path: 'monitors[0].schedule.timezone',
    message: /case-sensitive: write "Europe\/Berlin"/,
    owner: 'zone',
  },
  {
    name: 'a cron month out of range',
    base: FULL,
    from: 'cron: "*/5 * * * *"',
    to: 'cron: "*/5 * * 13 *"',
    path: 'monitors[0].schedule.cron',
    message: /13/,
    owner: 'cron',
  },
  {
    name: 'a cron with a field missing',
    base: FULL,
    from: 'cron: "*/5 * * * *"',
    to: 'cron: "*/5 * * *"',
    path: 'monitors[0].schedule.cron',
    message: /field/i,
  },
  // Temporal reads a sixth field as the year.
  {
    name: 'a cron year Temporal does not schedule',
    base: FULL,
    from: 'cron: "*/5 * * * *"',
    to: 'cron: "*/5 * * * * 1999"',
    path: 'monitors[0].schedule.cron',
    message: /1999|Year/,
    owner: 'cron',
  },

  // README, every example together.
  {
    name: 'stage counts of an undeclared pipeline',
    base: ALL,
    from: 'pipeline: intel\n',
    to: 'pipeline: intell\n',
    path: `${m('intel-stages')}.check.pipeline`,
    message: /^unknown pipeline "intell" \(did you mean "intel"\?\)/,
    at: 'pipeline: intell',
  },
  {
    name: 'a stage on an undeclared connector',
    base: ALL,
    from: '      - id: served\n        connector: search',
    to: '      - id: served\n        connector: serach',
    path: 'pipelines.intel.stages[3].connector',
    message: /^unknown connector "serach" \(did you mean "search"\?\)/,
    at: 'connector: serach',
  },
  {
    name: 'a repeated stage id',
    base: ALL,
    from: '      - id: served\n',
    to: '      - id: parsed\n',
    path: 'pipelines.intel.stages[3].id',
    message: /^duplicate stage id "parsed"$/,
    at: '- id: parsed\n        connector: search',
  },
  {
    name: 'a first stage with an expected ratio',
    base: ALL,
    from: '      - id: collected\n',
    to: '      - id: collected\n        expectedRatio: 0.5\n',
    path: 'pipelines.intel.stages[0].expectedRatio',
    message: /first stage has no previous stage/,
    at: 'expectedRatio: 0.5',
  },
  {
    name: 'a report sent to Slack',
    base: ALL,
    from: '        - lead-email\n      trend',
    to: '        - data-slack\n      trend',
    path: 'pipelines.intel.report.notify[0]',
    message: /email channels only/,
    at: '- data-slack\n      trend',
  },
  {
    name: 'a producer schedule with a bad cron',
    base: ALL,
    from: 'cron: 0 */6 * * *',
    to: 'cron: 0 */6 * * * *',
    path: `${m('parsed-on-schedule')}.check.expected.cron`,
    message: /./,
    at: 'cron: 0 */6 * * * *',
  },
  {
    name: 'a producer schedule in an unknown zone',
    base: ALL,
    from: '      expected:\n        cron: 0 */6 * * *\n        timezone: Europe/Berlin',
    to: '      expected:\n        cron: 0 */6 * * *\n        timezone: Europe/Atlantis',
    path: `${m('parsed-on-schedule')}.check.expected.timezone`,
    message: /Europe\/Atlantis/,
    at: 'Europe/Atlantis',
    owner: 'zone',
  },
  {
    name: 'an HTTP condition that is not one',
    base: ALL,
    from: '[STATUS] == 200',
    to: '[STATUS] is 200',
    path: `${m('partner-api')}.check.conditions[0]`,
    message: /is not a condition/,
  },
  {
    name: 'an HTTP condition with a bad regular expression',
    base: ALL,
    from: '[BODY].status == UP',
    to: '[BODY].status =~ (UP|DEGRADED',
    path: `${m('partner-api')}.check.conditions[1]`,
    message: /does not compile under RE2 \(.*missing closing \)/,
    at: 'DEGRADED',
  },
  {
    name: 'a percentile window that is not a duration',
    base: ALL,
    from: 'over: 1h',
    to: 'over: an hour',
    path: `${m('partner-api')}.rules[0].percentile.over`,
    message: /"an hour" is not a duration/,
  },
  {
    name: 'a malformed route matcher',
    base: ALL,
    from: '- team = lake',
    to: '- team lake',
    path: 'routing.routes[1].matchers[0]',
    message: /"team lake"/,
  },
  {
    name: 'a route matcher with a bad regular expression',
    base: ALL,
    from: 'severity =~ "critical"',
    to: 'severity =~ "crit(ical"',
    path: 'routing.routes[0].matchers[1]',
    message: /missing closing \)|crit\(ical/,
    owner: 'matchers',
  },
  {
    name: 'a route to an undeclared receiver',
    base: ALL,
    from: '      receiver: intel-pager',
    to: '      receiver: intel-pagr',
    path: 'routing.routes[0].receiver',
    message: /^unknown receiver "intel-pagr" \(did you mean "intel-pager"\?\)/,
  },
  {
    name: 'a receiver with an undeclared escalation policy',
    base: ALL,
    from: 'escalation: intel',
    to: 'escalation: intl',
    path: 'receivers.intel-pager.escalation',
    message: /^unknown escalation policy "intl"/,
  },
  {
    name: 'escalation policies in a cycle',
    base: ALL,
    from: '  management:\n    steps:',
    to: '  management:\n    then: intel\n    steps:',
    path: 'escalations.intel.then',
    message: /cycle: intel → management → intel/,
    at: 'then: management',
  },
  {
    name: 'an inhibit rule with a malformed matcher',
    base: ALL,
    from: '- severity = warning',
    to: '- severity warning',
    path: 'inhibit[0].target[0]',
    message: /"severity warning"/,
  },
  {
    name: 'a maintenance window at hour 24',
    base: ALL,
    from: 'cron: 0 2 * * *',
    to: 'cron: 0 24 * * *',
    path: 'maintenance[0].cron',
    message: /24/,
  },
  {
    name: 'a maintenance window in an unknown zone',
    base: ALL,
    from: '    duration: 1h\n    timezone: Europe/Berlin',
    to: '    duration: 1h\n    timezone: Berlin',
    path: 'maintenance[0].timezone',
    message: /"Berlin" is not an IANA time zone/,
    at: 'timezone: Berlin',
  },
  {
    name: 'silences announced to an undeclared channel',
    base: ALL,
    from: '  announce:\n    - data-slack',
    to: '  announce:\n    - data-slak',
    path: 'silences.announce[0]',
    message: /^unknown channel "data-slak"/,
    at: '- data-slak',
  },
  {
    name: 'results sent to a database',
    base: ALL,
    from: 'sinks:\n  elasticsearch:\n    connector: search',
    to: 'sinks:\n  elasticsearch:\n    connector: lake',
    path: 'sinks.elasticsearch.connector',
    message: /is a postgres connector; monitor results go to an elasticsearch connector/,
    at: 'connector: lake\n    index',
  },
  {
    name: 'a log query that does not parse',
    base: ALL,
    from: 'query: log.level:error AND labels.stage:parse',
    to: 'query: log.level:error AND (labels.stage:parse',
    path: `${m('parse-errors')}.check.query`,
    message: /not a query/,
    at: 'AND (labels',
  },
  {
    name: 'a log query with an unbalanced quote',
    base: ALL,
    from: 'event.action:record.stored',
    to: 'event.action:"record.stored',
    path: `${m('silent-crawlers')}.check.query`,
    message: /not a query|quote/i,
    owner: 'queries',
  },
  {
    name: 'an unknown log rule',
    base: ALL,
    from: 'rule: flatline',
    to: 'rule: flatlines',
    path: `${m('silent-crawlers')}.check.rule`,
    message: /flatline/,
  },
  {
    name: 'a Kubernetes selector that is not one',
    base: ALL,
    from: 'labels: app.kubernetes.io/part-of=lake',
    to: 'labels: app.kubernetes.io/part-of in lake',
    path: `${m('lake-k8s-events')}.check.labels`,
    message: /is not a label requirement/,
  },
  {
    name: 'an event type Kubernetes does not have',
    base: ALL,
    from: '        - Unhealthy\n',
    to: '        - Unhealthy\n      types:\n        - Error\n',
    path: `${m('lake-k8s-events')}.check.types[0]`,
    message: /"Warning" or "Normal"/,
    at: '- Error',
  },
  {
    name: 'a restart limit of zero',
    base: ALL,
    from: 'max: 5\n',
    to: 'max: 0\n',
    path: `${m('lake-pods')}.check.restarts.max`,
    message: /1/,
    at: 'max: 0',
  },
  {
    name: 'an archive password written into the file',
    base: ALL,
    from: '${LEAKSITE_A_PASSWORD}',
    to: `${SAMPLE_SECRET}`,
    path: 'archives.sources.leak-site-a.passwords[0]',
    message: /a secret must be an environment reference/,
    at: `${SAMPLE_SECRET}`,
  },
  {
    name: 'questions sent to an undeclared receiver',
    base: ALL,
    from: 'interventions:\n  receiver: data-oncall',
    to: 'interventions:\n  receiver: data-oncal',
    path: 'interventions.receiver',
    message: /^unknown receiver "data-oncal"/,
    at: 'receiver: data-oncal\n',
  },
  {
    name: 'an unknown default action',
    base: ALL,
    from: 'defaultAction: skip',
    to: 'defaultAction: ignore',
    path: 'interventions.defaultAction',
    message: /"skip" or "abort" or "retry"/,
  },
  {
    name: 'a Kubernetes check on a database',
    base: ALL,
    from: '  - id: lake-pods\n    connector: prod-cluster',
    to: '  - id: lake-pods\n    connector: lake',
    path: `${m('lake-pods')}.check.type`,
    message: /a postgres connector cannot run a podHealth check/,
    at: 'type: podHealth',
  },
];

describe('a broken README example is refused at validate with file:line and the field, and by the loader sync uses', () => {
  it('has at least 40 cases', () => expect(BROKEN.length).toBeGreaterThanOrEqual(40));

  it.each(BROKEN.map((c) => [`${c.name}${c.owner ? ` [${c.owner}]` : ''}`, c] as const))('%s', (_name, c) => {
    expect(c.base.includes(c.from)).toBe(true);
    const text = c.base.replace(c.from, c.to);
    const line = lineOf(text, c.at ?? c.to);
    const v = validate(text);
    const errors = v.problems.filter(isError);
    const hit = errors.find((p) => p.path === c.path && c.message.test(p.message));
    // On a miss, the whole list is what a person needs to see.
    expect(hit ? { path: hit.path, line: hit.line, file: hit.file } : errors.map(formatProblem)).toEqual({
      path: c.path,
      line,
      file: FILE,
    });
    expect(v.config).toBeUndefined();
    // schedules sync (and every other command) loads through parseConfig: it refuses the same file.
    let thrown: unknown;
    try {
      parseConfig(text, FILE, { env: false });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual(v.problems);
  });
});

// ---------------------------------------------------------------- the loader's hard cases

function only(text: string, env: NodeJS.ProcessEnv | false = false): ConfigProblem[] {
  const v = validate(text, env);
  expect(v.config).toBeUndefined();
  return v.problems;
}

describe('YAML that the parser alone reports badly', () => {
  it('names a repeated key and the line of its first appearance', () => {
    const text = swap(FULL, '    statementTimeout: 30s', '    statementTimeout: 30s\n    connectTimeout: 5s');
    const problems = only(text);
    const first = lineOf(text, 'connectTimeout: 5s');
    expect(problems.map(formatProblem)).toEqual([
      `${FILE}:${first + 1}:5: connectors.lake.connectTimeout: duplicate key "connectTimeout": first at line ${first}, again at line ${first + 1}; a key may appear once in a mapping (the later value would silently replace the first)`,
    ]);
  });

  it('names a repeated monitor key inside a list, and still checks the rest', () => {
    const text = swap(
      swap(FULL, '    pipeline: ransomware-intel\n', '    pipeline: ransomware-intel\n    pipeline: intel\n'),
      'connector: lake\n    check:\n      type: count',
      'connector: lak\n    check:\n      type: count',
    );
    const problems = only(text).map(formatProblem);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${FILE}:${lineOf(text, 'pipeline: intel')}:5: monitors\\[0\\]\\.pipeline: duplicate key "pipeline": first at line ${lineOf(text, 'pipeline: ransomware')}, again`,
        ),
      ),
      expect.stringMatching(/monitors\[1\]\.connector: unknown connector "lak"/),
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of blank lines', '\n\n   \n'],
    ['a file of comments only', '# pipewatch.yaml\n# nothing here yet\n'],
  ])('says %s is empty, at line 1', (_name, text) => {
    const [p, ...rest] = only(text);
    expect(rest).toEqual([]);
    expect(formatProblem(p!)).toMatch(
      new RegExp(`^${FILE}:1:1: the file is empty( \\(only comments\\))?; a configuration starts with "version: 1"$`),
    );
  });

  it.each([
    ['flow lists', (n: number) => `version: 1\nmonitors: ${'['.repeat(n)}${']'.repeat(n)}\n`, 2],
    ['flow mappings', (n: number) => `version: 1\nlabels: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, 2],
    [
      'block mappings',
      (n: number) => `version: 1\nx:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`,
      3,
    ],
  ])('refuses nesting deeper than 64 levels of %s in words, at its line, at any depth', (_name, nest, line) => {
    for (const depth of [65, 200, 20_000]) {
      const problems = only(nest(depth));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(
        /^nested deeper than 64 levels at line \d+; a pipewatch configuration nests about ten$/,
      );
      expect(problems[0]!.line).toBeGreaterThanOrEqual(line);
      expect(problems[0]!.message).not.toMatch(/call stack/);
    }
    // 64 levels are parsed (and refused by the schema, with a path, as any wrong value is).
    expect(only(nest(63)).every((p) => !/nested deeper/.test(p.message))).toBe(true);
  });

  it('cuts a 5 MB value to 200 characters in its message and says how long it was', () => {
    const huge = 'x'.repeat(5_000_000);
    // YAML allows keys of at most 1,024 characters; a long one is cut in the message and the path.
    const longKey = 'k'.repeat(1_000);
    const text = swap(
      swap(swap(FULL, 'jitter: 10s', `jitter: ${huge}`), 'id: parsed-records-hourly', `id: "${huge}"`),
      '    description: Newest record the parser wrote',
      `    ${longKey}: 1`,
    );
    const problems = only(text);
    expect(problems.map((p) => p.line)).toEqual([
      lineOf(text, longKey),
      lineOf(text, 'jitter:'),
      lineOf(text, `id: "x`),
    ]);
    for (const p of problems) expect(formatProblem(p).length).toBeLessThan(1_000);
    const [key, jitter, id] = problems;
    expect(jitter!.message).toBe(
      `"${'x'.repeat(200)}… (5,000,000 characters)" is not a duration; write it like "30s", "5m", "1h30m" or "2d"`,
    );
    expect(id!.message).toContain(`got "${'x'.repeat(200)}… (5,000,000 characters)"`);
    expect(key!.path).toBe(`monitors[0].${'k'.repeat(100)}… (1,000 characters)`);
    expect(key!.message).toMatch(/^unknown field "k{200}… \(1,000 characters\)"; expected one of: id, description/);
  });
});

describe('one pass: schema and reference problems together', () => {
  it('reports a schema error, an unknown connector and a duplicate id in different monitors at once', () => {
    const text = swap(
      swap(FULL, 'jitter: 10s', 'jitter: soon'),
      '  - id: parsed-records-hourly\n    connector: lake',
      '  - id: parsed-freshness\n    connector: lakee',
    );
    const problems = only(text).map(formatProblem);
    expect(problems).toEqual([
      expect.stringMatching(/monitors\[0\]\.schedule\.jitter: "soon" is not a duration/),
      expect.stringMatching(
        /monitors\[1\]\.id: duplicate monitor id "parsed-freshness"|monitors\[1\]\.connector: unknown connector "lakee"/,
      ),
      expect.stringMatching(
        /monitors\[1\]\.id: duplicate monitor id "parsed-freshness"|monitors\[1\]\.connector: unknown connector "lakee"/,
      ),
    ]);
    expect(new Set(problems).size).toBe(3);
  });

  it('checks references of the monitors after a refused one at their own index and line', () => {
    // monitors[0] is refused whole (its check type); monitors[1] is still checked, as monitors[1].
    const text = swap(
      swap(FULL, 'type: freshness', 'type: freshnes'),
      'connector: lake\n    check:\n      type: count',
      'connector: lakee\n    check:\n      type: count',
    );
    const problems = only(text);
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['monitors[0].check.type', lineOf(text, 'type: freshnes')],
      ['monitors[1].connector', lineOf(text, 'connector: lakee')],
    ]);
  });

  it('does not call a connector that was refused "unknown" as well', () => {
    const text = swap(FULL, 'type: postgres', 'type: postgress');
    expect(only(text).map((p) => p.path)).toEqual(['connectors.lake.type']);
  });

  it('maps a duplicate id back to the first monitor as written when one in between was refused', () => {
    const text = swap(
      swap(ALL, '  - id: intel-stages\n', '  - id: parsed-records-hourly\n'),
      'type: http\n',
      'type: htp\n',
    );
    const dup = only(text).find((p) => /duplicate monitor id/.test(p.message))!;
    expect(dup.path).toBe('monitors[2].id');
    expect(dup.message).toBe('duplicate monitor id "parsed-records-hourly" (first declared at monitors[1])');
  });

  it('runs the environment check with the schema', () => {
    const problems = only(swap(FULL, 'jitter: 10s', 'jitter: soon'), { SMTP_PASSWORD: 'x' }).map((p) => p.path);
    expect(problems).toEqual(['connectors.lake.password', 'monitors[0].schedule.jitter']);
  });
});

// ---------------------------------------------------------------- lints

describe('lints: certainly-wrong settings that load, shown as warnings', () => {
  const warningsOf = (text: string) => {
    const v = validate(text);
    expect(v.problems.filter(isError).map(formatProblem)).toEqual([]);
    expect(v.config!.warnings ?? []).toEqual(v.problems);
    return v.problems;
  };

  it.each([
    [
      'below 0 on a count',
      swap(FULL, '      - below: 1\n', '      - below: 0\n'),
      'monitors[1].rules[0].below',
      'below: 0',
      /^below: 0 can never fire: the values of a count check \(records\) are never below 0; to alert on none at all write "below: 1"$/,
    ],
    [
      'a negative equals on a queue',
      swap(ALL, '      - above: 10000\n', '      - equals: -1\n'),
      `${m('orders-queue')}.rules[0].equals`,
      'equals: -1',
      /^equals: -1 can never fire/,
    ],
    [
      'above 100 % of a disk',
      swap(ALL, '      - above: 90\n', '      - above: 100\n'),
      `${m('data-disk')}.rules[0].above`,
      '- above: 100\n',
      /^above: 100 can never fire: the values of a disk check \(percent\) are between 0 and 100$/,
    ],
    [
      'a count run less often than its window',
      swap(FULL, 'schedule: { every: 1h }', 'schedule: { every: 2h }'),
      'monitors[1].check.window',
      'window: 1h',
      /^the monitor runs every 2h but its window is 1h: records stored in the 1h between one run's window and the next are never checked; run at least every 1h or make the window 2h$/,
    ],
    [
      'a log frequency run less often than its window',
      swap(ALL, '  - id: parse-errors\n', '  - id: parse-errors\n    schedule:\n      every: 30m\n'),
      `${m('parse-errors')}.check.window`,
      'window: 10m',
      /^the monitor runs every 30m but its window is 10m/,
    ],
  ])('%s', (_name, text, path, at, message) => {
    const warnings = warningsOf(text);
    expect(warnings.map((w) => [w.path, w.line, w.severity])).toEqual([[path, lineOf(text, at), 'warning']]);
    expect(warnings[0]!.message).toMatch(message);
    expect(formatProblem(warnings[0]!)).toMatch(
      new RegExp(`^${FILE}:\\d+:\\d+: ${path.replace(/[[\].]/g, '\\$&')}: warning: `),
    );
  });

  it.each([
    ['below 1 on a count', FULL],
    [
      'above 99 on a disk, below 0 on a freshness age (clocks can be ahead)',
      swap(swap(ALL, '      - above: 90\n', '      - above: 99\n'), 'above: 30m', 'below: 0'),
    ],
    [
      'a log `any` rule, which reads from a cursor, on a slow schedule',
      swap(
        ALL,
        '  - id: archives-needing-passwords\n',
        '  - id: archives-needing-passwords\n    schedule:\n      every: 1h\n',
      ),
    ],
    ['a count run as often as its window', FULL],
  ])('stays quiet for %s', (_name, text) => {
    expect(warningsOf(text)).toEqual([]);
  });
});

// ---------------------------------------------------------------- the built CLI

describe('the built CLI: validate --json and schedules sync --dry-run', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  beforeAll(() => {
    // npm test builds first; run `npm run build` before this file alone.
    const built = join('dist', 'cli', 'commands', 'validate.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync('cli/commands/validate.ts').mtimeMs)
      throw new Error(`${CLI} is missing or older than cli/commands/validate.ts: run npm run build`);
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const jsonOf = (stdout: string) =>
    JSON.parse(stdout) as {
      file: string;
      valid: boolean;
      problems: Array<{ line: number; column: number; path: string; message: string; severity: string }>;
    };

  it('prints every problem of an invalid file as one JSON document on stdout and exits 1', async () => {
    const text = swap(
      swap(FULL, 'jitter: 10s', 'jitter: soon'),
      'connector: lake\n    check:\n      type: count',
      'connector: lakee\n    check:\n      type: count',
    );
    const file = write('broken.yaml', text);
    const r = await runCli(['validate', '--json', '--no-env-check', '-c', file]);
    expect(r.code).toBe(1);
    const doc = jsonOf(r.stdout);
    expect(doc).toMatchObject({ file, valid: false });
    expect(doc.problems).toEqual([
      {
        line: lineOf(text, 'jitter: soon'),
        column: 15,
        path: 'monitors[0].schedule.jitter',
        message: expect.stringMatching(/"soon" is not a duration/),
        severity: 'error',
      },
      {
        line: lineOf(text, 'connector: lakee'),
        column: 16,
        path: 'monitors[1].connector',
        message: expect.stringMatching(/^unknown connector "lakee"/),
        severity: 'error',
      },
    ]);
  });

  it.each([
    ['an empty file', '', /the file is empty/],
    [
      'a repeated key',
      swap(FULL, '    ssl: true', '    ssl: true\n    ssl: false'),
      /duplicate key "ssl": first at line \d+/,
    ],
    [
      'deep nesting',
      `version: 1\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      /nested deeper than 64 levels at line 2/,
    ],
  ])('reports %s in JSON too', async (name, text, message) => {
    const r = await runCli([
      'validate',
      '--json',
      '--no-env-check',
      '-c',
      write(`${name.replace(/\W/g, '-')}.yaml`, text),
    ]);
    expect(r.code).toBe(1);
    const doc = jsonOf(r.stdout);
    expect(doc.problems).toEqual([
      expect.objectContaining({ message: expect.stringMatching(message), severity: 'error', line: expect.any(Number) }),
    ]);
  });

  it('passes a file with warnings, lists them, and fails it under --strict', async () => {
    const file = write('lint.yaml', swap(FULL, '      - below: 1\n', '      - below: 0\n'));
    const loose = await runCli(['validate', '--json', '--no-env-check', '-c', file]);
    expect(loose.code).toBe(0);
    expect(jsonOf(loose.stdout)).toMatchObject({
      valid: true,
      problems: [{ path: 'monitors[1].rules[0].below', severity: 'warning' }],
    });
    const strict = await runCli(['validate', '--strict', '--no-env-check', '-c', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('monitors[1].rules[0].below: warning: below: 0 can never fire');
    expect(strict.stdout).toContain('1 warning: invalid under --strict');
  });

  it('--help lists the options the README lists, and says what the exit codes and the JSON mean', async () => {
    const help = await runCli(['validate', '--help']);
    expect(help.code).toBe(0);
    const readmeLine = README.split('\n').find((l) => l.startsWith('pipewatch validate ['))!;
    const documented = [...readmeLine.matchAll(/\[(--[a-z-]+)\]/g)].map((x) => x[1]).sort();
    const offered = [...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)]
      .map((x) => x[1])
      .filter((o) => o !== '--help')
      .sort();
    expect(offered).toEqual(documented);
    expect(help.stdout).toContain('Exit codes: 0 valid (warnings allowed)');
    expect(help.stdout).toContain('"severity": "error"|"warning"');
    const syncHelp = await runCli(['schedules', 'sync', '--help']);
    const syncLine = README.split('\n').find((l) => l.startsWith('pipewatch schedules sync ['))!;
    expect(
      [...syncHelp.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)]
        .map((x) => x[1])
        .filter((o) => o !== '--help')
        .sort(),
    ).toEqual([...syncLine.matchAll(/\[(--[a-z-]+)\]/g)].map((x) => x[1]).sort());
  });

  it('schedules sync --dry-run refuses the same file with the same problems, before reaching Temporal', async () => {
    const file = write('sync.yaml', swap(FULL, 'jitter: 10s', 'jitter: soon'));
    const validateRun = await runCli(['validate', '--no-env-check', '-c', file]);
    const sync = await runCli(['schedules', 'sync', '--dry-run', '--no-env-check', '-c', file], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    expect(sync.code).toBe(1);
    expect(validateRun.code).toBe(1);
    expect(sync.stderr).toBe(validateRun.stderr);
    expect(sync.stderr).toContain(
      `${file}:${lineOf(FULL, 'jitter:')}:15: monitors[0].schedule.jitter: "soon" is not a duration`,
    );
  });
});
