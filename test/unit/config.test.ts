import { ConfigError, parseConfig, spreadOffset, type ConfigProblem } from '../../config/load.js';

/** A password written into config as a literal, made at run time (the tests check such literals are refused). */
const SAMPLE_SECRET = `pw${Math.random().toString(36).slice(2, 10)}`;

const GOOD = `version: 1
project: lake-team
defaults:
  schedule:
    every: 1m
  notify: [oncall]
notifications:
  retry:
    initialInterval: 2s
    maximumInterval: 1m
  timeout: 20s
connectors:
  lake:
    type: postgres
    url: postgres://reader@db.internal:5432/lake
    password: \${LAKE_PASSWORD}
channels:
  oncall:
    type: email
    smtp:
      host: smtp.internal
      port: 2525
      user: pipewatch
      password: \${SMTP_PASSWORD}
    from: pipewatch@example.com
    to: [data-oncall@example.com]
monitors:
  - id: parsed-freshness
    description: newest parsed record
    pipeline: intel
    connector: lake
    check:
      type: freshness
      dataset: lake.parsed
      timestamp: parsed_at
    rules:
      - above: 15m
        severity: warning
      - above: 1h
        severity: critical
  - id: parsed-count
    connector: lake
    schedule:
      cron: "*/5 * * * *"
      timezone: Europe/Berlin
      jitter: 10s
    check:
      type: count
      dataset: parsed
      timestamp: parsed_at
      uniqueId: record_id
      window: 1h
    rules:
      - outside: [100, 5000]
        severity: critical
      - changePercent: 50
    flap:
      failAfter: 1
`;

const ENV = { LAKE_PASSWORD: 'pw-lake', SMTP_PASSWORD: 'pw-smtp' };

function problemsOf(text: string, env: NodeJS.ProcessEnv | false = ENV): ConfigProblem[] {
  try {
    parseConfig(text, 'pipewatch.yaml', { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('a valid configuration', () => {
  const loaded = parseConfig(GOOD, 'pipewatch.yaml', { env: ENV });

  it('normalises monitors with defaults applied', () => {
    expect(loaded.raw.project).toBe('lake-team');
    const [freshness, count] = loaded.monitors;
    expect(freshness!.schedule).toEqual({
      everyMs: 60_000,
      offsetMs: spreadOffset('parsed-freshness', 60_000),
      cron: undefined,
      timezone: 'UTC',
      jitterMs: undefined,
      catchupWindowMs: 300_000,
    });
    expect(freshness!.flap).toEqual({ failAfter: 3, resolveAfter: 2 });
    expect(freshness!.unit).toBe('seconds');
    // Durations in thresholds become seconds for checks measured in seconds.
    expect(freshness!.rules.map((r) => r.threshold)).toEqual([900, 3600]);
    expect(freshness!.notification.receivers).toEqual({ default: { id: 'default', notify: ['oncall'] } });
    expect(freshness!.notification.routing).toMatchObject({
      receiver: 'default',
      groupBy: ['monitor'],
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
    expect(freshness!.notification.delivery).toEqual({
      initialIntervalMs: 2_000,
      maximumIntervalMs: 60_000,
      timeoutMs: 20_000,
      fallback: undefined,
      fallbackAfterMs: 600_000,
    });
    expect(count!.schedule).toMatchObject({ cron: '*/5 * * * *', timezone: 'Europe/Berlin', jitterMs: 10_000 });
    expect(count!.flap).toEqual({ failAfter: 1, resolveAfter: 2 });
    expect(count!.rules).toEqual([
      { kind: 'outside', range: [100, 5000], severity: 'critical' },
      { kind: 'changePercent', percent: 50, severity: 'warning', direction: 'both', summary: undefined },
    ]);
  });

  it('keeps secrets as references, never values', () => {
    const text = JSON.stringify(loaded.monitors);
    expect(text).toContain('${LAKE_PASSWORD}');
    expect(text).not.toContain('pw-lake');
    expect(text).not.toContain('pw-smtp');
  });

  it('versions each monitor by content: same content, same version; any change, a new one', () => {
    const again = parseConfig(GOOD, 'pipewatch.yaml', { env: ENV });
    expect(again.monitors.map((m) => m.version)).toEqual(loaded.monitors.map((m) => m.version));
    const changed = parseConfig(GOOD.replace('above: 15m', 'above: 20m'), 'pipewatch.yaml', { env: ENV });
    expect(changed.monitors[0]!.version).not.toBe(loaded.monitors[0]!.version);
    expect(changed.monitors[1]!.version).toBe(loaded.monitors[1]!.version);
  });

  it('does not require variables when the env check is off', () => {
    expect(() => parseConfig(GOOD, 'pipewatch.yaml', { env: false })).not.toThrow();
  });

  it('puts a check in its perspective unless the monitor says otherwise', () => {
    const text = GOOD.replace(
      'connectors:\n',
      'connectors:\n  cluster: { type: kubernetes, kubeconfig: ~/.kube/config, context: prod }\n',
    ).replace(
      'monitors:\n',
      'monitors:\n  - id: pods\n    connector: cluster\n    check: { type: podHealth, namespace: lake }\n    rules: [{ above: 0 }]\n  - id: jobs\n    perspective: data\n    connector: cluster\n    check: { type: cronJobs, namespace: lake }\n    rules: [{ above: 0 }]\n',
    );
    const monitors = parseConfig(text, 'pipewatch.yaml', { env: false }).monitors;
    expect(monitors.find((m) => m.id === 'pods')).toMatchObject({
      perspective: 'operations',
      unit: 'count',
      check: { crashLoopFor: 900_000, groupBy: 'app.kubernetes.io/name' },
    });
    expect(monitors.find((m) => m.id === 'jobs')!.perspective).toBe('data');
    expect(monitors.find((m) => m.id === 'parsed-freshness')!.perspective).toBe('data');
  });

  it('accepts an empty monitor list', () => {
    expect(parseConfig('version: 1\n', 'x.yaml', { env: {} }).monitors).toEqual([]);
  });
});

describe('spreading interval schedules over their interval', () => {
  it('gives each monitor a stable whole second within its interval, spread across ids', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `monitor-${i}`);
    const offsets = ids.map((id) => spreadOffset(id, 60_000));
    expect(offsets.every((o) => o >= 0 && o < 60_000 && o % 1000 === 0)).toBe(true);
    expect(new Set(offsets).size).toBe(60); // every second of the minute is used
    expect(Math.max(...[...Array(60).keys()].map((s) => offsets.filter((o) => o === s * 1000).length))).toBeLessThan(
      35,
    ); // 1000/60 ≈ 17 each
    expect(ids.map((id) => spreadOffset(id, 60_000))).toEqual(offsets);
    expect(spreadOffset('x', 1_000)).toBe(0);
    expect(spreadOffset('x', 1_500)).toBe(0);
  });

  it('takes an explicit offset, and refuses one that does not fit', () => {
    const withOffset = (schedule: string) => GOOD.replace('  schedule:\n    every: 1m', `  schedule:\n${schedule}`);
    expect(
      parseConfig(withOffset('    every: 1m\n    offset: 0s'), 'pipewatch.yaml', { env: ENV }).monitors[0]!.schedule
        .offsetMs,
    ).toBe(0);
    expect(
      parseConfig(withOffset('    every: 1m\n    offset: 15s'), 'pipewatch.yaml', { env: ENV }).monitors[0]!.schedule
        .offsetMs,
    ).toBe(15_000);
    expect(problemsOf(withOffset('    every: 1m\n    offset: 1m')).map((p) => p.message)).toContain(
      'an offset shorter than the interval',
    );
    expect(problemsOf(withOffset('    cron: "*/5 * * * *"\n    offset: 10s')).map((p) => p.message)).toContain(
      'an offset belongs to an "every" schedule',
    );
  });
});

// Each broken file: what is wrong, and the message (file:line:col: path: message) it must give.
const BROKEN: Array<[string, string, RegExp]> = [
  [
    'invalid YAML',
    GOOD.replace('    type: postgres', '    type: postgres\n   url: [broken'),
    /^pipewatch\.yaml:\d+:\d+: invalid YAML: /,
  ],
  [
    'a duplicate YAML key',
    GOOD.replace('  lake:\n    type: postgres', '  lake:\n    type: postgres\n    type: postgres'),
    /^pipewatch\.yaml:15:5: connectors\.lake\.type: duplicate key "type": first at line 14, again at line 15; a key may appear once in a mapping/,
  ],
  [
    'unknown monitor check type',
    GOOD.replace('type: freshness', 'type: freshnes'),
    /^pipewatch\.yaml:33:13: monitors\[0\]\.check\.type: unknown type "freshnes"; expected one of: count, freshness, sql, stageCounts, http, .*$/,
  ],
  [
    'unknown connector type',
    GOOD.replace('type: postgres', 'type: mysql'),
    /^pipewatch\.yaml:14:11: connectors\.lake\.type: unknown type "mysql"; expected one of: postgres, elasticsearch, .*$/,
  ],
  [
    'unknown connector reference',
    GOOD.replace(
      '    connector: lake\n    check:\n      type: freshness',
      '    connector: laek\n    check:\n      type: freshness',
    ),
    /^pipewatch\.yaml:31:16: monitors\[0\]\.connector: unknown connector "laek" \(did you mean "lake"\?\); declared connectors: lake$/,
  ],
  [
    'unknown channel reference',
    GOOD.replace('notify: [oncall]', 'notify: [pager]'),
    /^pipewatch\.yaml:6:12: defaults\.notify\[0\]: unknown channel "pager"; declared channels: oncall$/,
  ],
  [
    'duplicate monitor ids',
    GOOD.replace('id: parsed-count', 'id: parsed-freshness'),
    /^pipewatch\.yaml:41:9: monitors\[1\]\.id: duplicate monitor id "parsed-freshness" \(first declared at monitors\[0\]\)$/,
  ],
  [
    'a missing environment variable',
    GOOD,
    /^pipewatch\.yaml:16:15: connectors\.lake\.password: environment variable LAKE_PASSWORD is not set$/,
  ],
  [
    'a literal password instead of a reference',
    GOOD.replace('password: ${SMTP_PASSWORD}', `password: ${SAMPLE_SECRET}`),
    /channels\.oncall\.smtp\.password: a secret must be an environment reference such as "\$\{SMTP_PASSWORD\}", not the value itself/,
  ],
  [
    'a password inside the connection URL',
    GOOD.replace('postgres://reader@db', `postgres://reader:${SAMPLE_SECRET}@db`),
    /connectors\.lake\.url: the URL holds a password/,
  ],
  [
    'an unknown field, with a suggestion',
    GOOD.replace('    description: newest parsed record', '    descripton: newest parsed record'),
    /^pipewatch\.yaml:29:5: monitors\[0\]\.descripton: unknown field "descripton" \(did you mean "description"\?\); expected one of: id, description,/,
  ],
  [
    'a bad duration',
    GOOD.replace('every: 1m', 'every: soon'),
    /^pipewatch\.yaml:5:12: defaults\.schedule\.every: "soon" is not a duration; write it like "30s", "5m", "1h30m" or "2d"$/,
  ],
  [
    'both every and cron',
    GOOD.replace('      cron: "*/5 * * * *"', '      cron: "*/5 * * * *"\n      every: 5m'),
    /monitors\[1\]\.schedule: a schedule has exactly one of "every"/,
  ],
  [
    'a bad time zone',
    GOOD.replace('Europe/Berlin', 'Mars/Olympus'),
    /monitors\[1\]\.schedule\.timezone: "Mars\/Olympus" is not an IANA time zone/,
  ],
  [
    'a rule with two conditions',
    GOOD.replace('      - changePercent: 50', '      - changePercent: 50\n        below: 3'),
    /monitors\[1\]\.rules\[1\]: a rule has exactly one of above, below, equals, outside, changePercent, changeVs, anomaly, rising, percentile; this one has below and changePercent/,
  ],
  [
    'a rule with no condition',
    GOOD.replace('      - changePercent: 50', '      - severity: critical'),
    /monitors\[1\]\.rules\[1\]: a rule needs one of above, below, equals, outside, changePercent, changeVs, anomaly, rising, percentile/,
  ],
  [
    'a duration threshold on a count',
    GOOD.replace('outside: [100, 5000]', 'outside: [100, 2h]'),
    /monitors\[1\]\.rules\[0\]\.outside\[1\]: "2h" is a duration, but this check measures records; write a number/,
  ],
  [
    'an unknown severity',
    GOOD.replace('severity: warning', 'severity: page'),
    /monitors\[0\]\.rules\[0\]\.severity: expected "info" or "warning" or "critical", got "page"/,
  ],
  [
    'an SQL injection attempt in a table name',
    GOOD.replace('dataset: lake.parsed', 'dataset: "parsed; DROP TABLE x"'),
    /monitors\[0\]\.check\.dataset: .*a table or column name/,
  ],
  [
    'a missing required field',
    GOOD.replace('      timestamp: parsed_at\n    rules:\n      - above: 15m', '    rules:\n      - above: 15m'),
    /^pipewatch\.yaml:33:7: monitors\[0\]\.check\.timestamp: required; expected string$/,
  ],
  [
    'a wrong version',
    GOOD.replace('version: 1', 'version: 2'),
    /^pipewatch\.yaml:1:10: version: expected 1, got number 2$/,
  ],
  [
    'no schedule anywhere',
    GOOD.replace('defaults:\n  schedule:\n    every: 1m\n', 'defaults:\n'),
    /^pipewatch\.yaml:26:5: monitors\[0\]\.schedule: no schedule: give the monitor "schedule: \{ every: 5m \}" or set defaults\.schedule$/,
  ],
  [
    'an invalid monitor id',
    GOOD.replace('id: parsed-count', 'id: Parsed Count'),
    /monitors\[1\]\.id: .*an id of lowercase letters/,
  ],
  [
    'an unknown receiver in a route',
    GOOD.replace(
      'monitors:\n',
      'routing:\n  routes:\n    - matchers: ["pipeline = intel"]\n      receiver: pager\nmonitors:\n',
    ),
    /routing\.routes\[0\]\.receiver: unknown receiver "pager"; declared receivers: default$/,
  ],
  [
    'a malformed route matcher',
    GOOD.replace(
      'monitors:\n',
      'routing:\n  routes:\n    - matchers: ["pipeline intel"]\n      receiver: default\nmonitors:\n',
    ),
    /routing\.routes\[0\]\.matchers\[0\]: "pipeline intel" is not a matcher/,
  ],
  [
    'an empty escalation policy',
    GOOD.replace('monitors:\n', 'escalations:\n  standard:\n    steps: []\nmonitors:\n'),
    /escalations\.standard\.steps: needs at least 1 item/,
  ],
  [
    'a cyclic escalation policy',
    GOOD.replace(
      'monitors:\n',
      'escalations:\n  a:\n    steps: [{ after: 0s, notify: [oncall] }]\n    then: b\n  b:\n    steps: [{ after: 5m, notify: [oncall] }]\n    then: a\nmonitors:\n',
    ),
    /escalations\.a\.then: escalation policies form a cycle: a → b → a/,
  ],
  [
    'an unknown channel in an escalation step',
    GOOD.replace('monitors:\n', 'escalations:\n  a:\n    steps: [{ after: 0s, notify: [pagr] }]\nmonitors:\n'),
    /escalations\.a\.steps\[0\]\.notify\[0\]: unknown channel "pagr"/,
  ],
  [
    'a receiver that notifies nobody',
    GOOD.replace('monitors:\n', 'receivers:\n  quiet: {}\nmonitors:\n'),
    /receivers\.quiet: this receiver notifies nobody/,
  ],
  [
    'an invalid cron in a maintenance window',
    GOOD.replace(
      'monitors:\n',
      'maintenance:\n  - id: nightly\n    cron: "0 25 * * *"\n    duration: 1h\n    reason: reindex\n    owner: lake\nmonitors:\n',
    ),
    /maintenance\[0\]\.cron: "0 25 \* \* \*": hour "25" is out of range \(0-23\)/,
  ],
  [
    'a malformed HTTP condition',
    GOOD.replace(
      'monitors:\n',
      'monitors:\n  - id: api\n    connector: lake\n    check: { type: http, conditions: ["[STATUS] is 200"] }\n    rules: [{ above: 1s }]\n',
    ),
    /monitors\[0\]\.check\.conditions\[0\]: "\[STATUS\] is 200" is not a condition/,
  ],
  [
    'an unknown placeholder in a condition',
    GOOD.replace(
      'monitors:\n',
      'monitors:\n  - id: api\n    connector: lake\n    check: { type: http, conditions: ["[LATENCY] < 5"] }\n    rules: [{ above: 1s }]\n',
    ),
    /unknown placeholder \[LATENCY\]/,
  ],
  [
    'a malformed Kubernetes label selector',
    GOOD.replace('connectors:\n', 'connectors:\n  cluster: { type: kubernetes }\n').replace(
      'monitors:\n',
      'monitors:\n  - id: pods\n    connector: cluster\n    check: { type: podHealth, labels: "app in crawler" }\n    rules: [{ above: 0 }]\n',
    ),
    /monitors\[0\]\.check\.labels: "app in crawler" is not a label requirement; write it like app=crawler/,
  ],
  [
    'both inCluster and a kubeconfig',
    GOOD.replace(
      'connectors:\n',
      'connectors:\n  cluster: { type: kubernetes, inCluster: true, kubeconfig: /etc/kube.conf }\n',
    ),
    /connectors\.cluster\.inCluster: use either "inCluster: true" or "kubeconfig", not both/,
  ],
  [
    'a Kubernetes check on a database',
    GOOD.replace(
      'monitors:\n',
      'monitors:\n  - id: jobs\n    connector: lake\n    check: { type: cronJobs }\n    rules: [{ above: 0 }]\n',
    ),
    /monitors\[0\]\.check\.type: a postgres connector cannot run a cronJobs check; it runs count, freshness, sql, database/,
  ],
  [
    'a list where a mapping belongs',
    GOOD.replace('connectors:\n  lake:', 'connectors:\n  - lake:'),
    /^pipewatch\.yaml:13:3: connectors: expected a mapping, got a list$/,
  ],
];

describe('a broken configuration names the file, line, path and what was expected', () => {
  it.each(BROKEN)('%s', (name, text, expected) => {
    const env = name === 'a missing environment variable' ? { SMTP_PASSWORD: 'x' } : ENV;
    const lines = problemsOf(text, env).map((p) => new ConfigError([p]).message);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports every problem at once, not only the first', () => {
    const both = GOOD.replace('connector: lake\n    schedule', 'connector: nope\n    schedule').replace(
      'id: parsed-count',
      'id: parsed-freshness',
    );
    const messages = problemsOf(both).map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown connector "nope"/),
        expect.stringMatching(/duplicate monitor id/),
      ]),
    );
  });

  it('reports a YAML slip once, with a hint for an unquoted reference in a flow mapping, not every token after it', () => {
    const slip = GOOD.replace(
      '  lake:\n    type: postgres\n    url: postgres://reader@db.internal:5432/lake\n    password: ${LAKE_PASSWORD}',
      '  lake: { type: postgres, url: ${LAKE_URL}, password: ${LAKE_PASSWORD} }',
    );
    expect(slip).not.toBe(GOOD);
    const problems = problemsOf(slip);
    expect(problems.length).toBeLessThanOrEqual(6);
    expect(new ConfigError([problems[0]!]).message).toMatch(
      /^pipewatch\.yaml:13:\d+: invalid YAML: .* \(quote environment references inside \{ \} or \[ \]: "\$\{NAME\}"\)$/,
    );
    expect(new Set(problems.map((p) => p.line)).size).toBe(problems.length - (problems.length === 6 ? 1 : 0));
    // Quoted, the same line loads.
    const quoted = slip
      .replace('${LAKE_URL}', '"${LAKE_URL}"')
      .replace('password: ${LAKE_PASSWORD} }', 'password: "${LAKE_PASSWORD}" }');
    expect(
      parseConfig(quoted, 'pipewatch.yaml', { env: { ...ENV, LAKE_URL: 'postgres://reader@db.internal/lake' } })
        .monitors.length,
    ).toBeGreaterThan(0);
  });

  it('refuses a file that is not a mapping', () => {
    expect(problemsOf('- just\n- a list\n')[0]!.message).toMatch(/expected a mapping/);
  });
});
