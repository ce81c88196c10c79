// Alertmanager's routing tree, grouping, inhibition and their configuration
// checks, ported as tables from prometheus/alertmanager:
//   dispatch/route_test.go, dispatch/dispatch_test.go (grouping),
//   inhibit/inhibit_test.go, config/config_test.go (routes, inhibition, time intervals).
// Configurations are written as pipewatch.yaml (`routing:`, `receivers:`,
// `inhibit:`, `timeIntervals:`) and loaded through the real loader. A row
// passes when pipewatch agrees with Alertmanager (the same receivers, grouping
// and timing; the same alerts muted; the same refusals, with pipewatch's
// message starting from Alertmanager's and saying what to write instead), or
// is marked `refused`: Alertmanager accepts it, pipewatch refuses it at load
// and says what to write. The counts are checked against docs/COMPATIBILITY.md.
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig, type LoadedConfig } from '../../config/load.js';
import type { RouteNode } from '../../config/model.js';
import { hasEqual, muteReason, type ActiveAlert } from '../../evaluation/muting.js';
import {
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  groupLabelsOf,
  hasZeroInterval,
  incidentFor,
  matchingRoutes,
  routeAlert,
  withoutZeroIntervals,
} from '../../evaluation/routing.js';
import type { Labels } from '../../evaluation/matchers.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
/** Alertmanager's DefaultRouteOpts timing. */
const DEF = { groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * H };

/** A file with one console channel, the named receivers on it, and the given top-level YAML. */
function file(receivers: string[], body: string): string {
  const recv = receivers.length ? `receivers:\n${receivers.map((r) => `  ${r}: { notify: [dev] }`).join('\n')}\n` : '';
  return `version: 1\nchannels:\n  dev: { type: console }\n${recv}${body.replace(/^\n/, '')}\n`;
}

function load(text: string): LoadedConfig | { problems: string[] } {
  try {
    return parseConfig(text, 'pipewatch.yaml', { env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems.map((p) => new ConfigError([p]).message) };
    throw err;
  }
}

function loaded(text: string): LoadedConfig {
  const r = load(text);
  if ('problems' in r) throw new Error(r.problems.join('\n'));
  return r;
}

function problems(text: string): string[] {
  const r = load(text);
  if (!('problems' in r)) throw new Error('expected the configuration to be refused');
  return r.problems;
}

type Opts = {
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
};
const opts = (node: RouteNode): Opts => ({
  receiver: node.receiver,
  groupBy: [...node.groupBy].sort(),
  groupWaitMs: node.groupWaitMs,
  groupIntervalMs: node.groupIntervalMs,
  repeatIntervalMs: node.repeatIntervalMs,
});

interface Row {
  peer: string;
  test: string;
  name: string;
  refused?: true;
  run: () => void;
}
const rows: Row[] = [];
const add = (peer: string, test: string, name: string, run: () => void, refused?: true) =>
  rows.push({ peer, test, name, run, ...(refused ? { refused } : {}) });

// =========================================================== dispatch/route_test.go

const ROUTE = 'dispatch/route_test.go';
const routeReceivers = [
  'notify-def',
  'notify-a',
  'notify-testing',
  'notify-productiona',
  'notify-productionb',
  'notify-bc',
];

// TestRouteMatch's tree (match / match_re written as matchers; receivers lower-case, as pipewatch ids are).
// The root's groupBy is [] — Alertmanager's default; pipewatch's own default is [monitor].
const classicTree = `
routing:
  receiver: notify-def
  groupBy: []
  routes:
    - matchers: ['owner = team-A']
      receiver: notify-a
      routes:
        - matchers: ['env = testing']
          receiver: notify-testing
          groupBy: ['...']
        - matchers: ['env = production']
          receiver: notify-productiona
          groupWait: 1m
          continue: true
        - matchers: ['env =~ "produ.*"', 'job =~ ".*"']
          receiver: notify-productionb
          groupWait: 30s
          groupInterval: 5m
          repeatInterval: 1h
          groupBy: ['job']
    - matchers: ['owner =~ "team-(B|C)"']
      groupBy: ['foo', 'bar']
      groupWait: 2m
      receiver: notify-bc
    - matchers: ['group_by = role']
      groupBy: ['role']
      routes:
        - matchers: ['env = testing']
          receiver: notify-testing
          routes:
            - matchers: ['wait = long']
              groupWait: 2m`;

// TestRouteMatchers' tree: the same in Alertmanager's newer matcher syntax, braces included.
const matchersTree = `
routing:
  receiver: notify-def
  groupBy: []
  routes:
    - matchers: ['{owner="team-A"}', '{level!="critical"}']
      receiver: notify-a
      routes:
        - matchers: ['{env="testing"}', '{baz!~".*quux"}']
          receiver: notify-testing
          groupBy: ['...']
        - matchers: ['{env="production"}']
          receiver: notify-productiona
          groupWait: 1m
          continue: true
        - matchers: [ 'env=~"produ.*"', 'job=~".*"']
          receiver: notify-productionb
          groupWait: 30s
          groupInterval: 5m
          repeatInterval: 1h
          groupBy: ['job']
    - matchers: ['owner=~"team-(B|C)"']
      groupBy: ['foo', 'bar']
      groupWait: 2m
      receiver: notify-bc
    - matchers: ['group_by="role"']
      groupBy: ['role']
      routes:
        - matchers: ['{env="testing"}']
          receiver: notify-testing
          routes:
            - matchers: ['wait="long"']
              groupWait: 2m`;

// TestRouteMatchersAndMatch mixes both spellings in one tree.
const mixedTree = matchersTree
  .replace(`['{env="production"}']`, `['env = production']`)
  .replace(`['owner=~"team-(B|C)"']`, `['owner =~ "team-(B|C)"']`);

const routeMatchCases: Array<{ input: Labels; result: Opts[] }> = [
  { input: { owner: 'team-A' }, result: [{ receiver: 'notify-a', groupBy: [], ...DEF }] },
  { input: { owner: 'team-A', env: 'unset' }, result: [{ receiver: 'notify-a', groupBy: [], ...DEF }] },
  {
    input: { owner: 'team-C' },
    result: [{ receiver: 'notify-bc', groupBy: ['bar', 'foo'], ...DEF, groupWaitMs: 2 * M }],
  },
  { input: { owner: 'team-A', env: 'testing' }, result: [{ receiver: 'notify-testing', groupBy: ['...'], ...DEF }] },
  {
    input: { owner: 'team-A', env: 'production' },
    result: [
      { receiver: 'notify-productiona', groupBy: [], ...DEF, groupWaitMs: 1 * M },
      {
        receiver: 'notify-productionb',
        groupBy: ['job'],
        groupWaitMs: 30 * S,
        groupIntervalMs: 5 * M,
        repeatIntervalMs: 1 * H,
      },
    ],
  },
  { input: { group_by: 'role' }, result: [{ receiver: 'notify-def', groupBy: ['role'], ...DEF }] },
  { input: { env: 'testing', group_by: 'role' }, result: [{ receiver: 'notify-testing', groupBy: ['role'], ...DEF }] },
  {
    input: { env: 'testing', group_by: 'role', wait: 'long' },
    result: [{ receiver: 'notify-testing', groupBy: ['role'], ...DEF, groupWaitMs: 2 * M }],
  },
];

for (const [test, tree] of [
  ['TestRouteMatch', classicTree],
  ['TestRouteMatchers', matchersTree],
  ['TestRouteMatchersAndMatch', mixedTree],
] as const) {
  for (const c of routeMatchCases) {
    add(ROUTE, test, JSON.stringify(c.input), () => {
      const root = loaded(file(routeReceivers, tree)).notification.routing;
      expect(matchingRoutes(root, c.input).map(opts)).toEqual(c.result);
    });
  }
}

add(ROUTE, 'TestRouteWalk', 'receivers in depth-first order', () => {
  const root = loaded(file(routeReceivers, classicTree)).notification.routing;
  const walk = (n: RouteNode): string[] => [n.receiver, ...n.routes.flatMap(walk)];
  expect(walk(root)).toEqual([
    'notify-def',
    'notify-a',
    'notify-testing',
    'notify-productiona',
    'notify-productionb',
    'notify-bc',
    'notify-def',
    'notify-testing',
    'notify-testing',
  ]);
});

add(ROUTE, 'TestInheritParentGroupByAll', "a child inherits groupBy ['...'] unless it sets its own", () => {
  const root = loaded(
    file(
      ['default'],
      `
routing:
  receiver: default
  routes:
    - matchers: ['env = parent']
      groupBy: ['...']
      routes:
        - matchers: ['env = child1']
        - matchers: ['env = child2']
          groupBy: ['foo']`,
    ),
  ).notification.routing;
  const parent = root.routes[0]!;
  expect([parent.groupBy, parent.routes[0]!.groupBy, parent.routes[1]!.groupBy]).toEqual([['...'], ['...'], ['foo']]);
});

add(
  ROUTE,
  'TestRouteLabelsLoading',
  'route labels (added to notifications) are not supported: refused as an unknown field',
  () => {
    const p = problems(
      file(
        ['notify-def', 'notify-a'],
        "routing:\n  receiver: notify-def\n  routes:\n    - matchers: ['owner = team-A']\n      labels: { team: team-A }\n      receiver: notify-a",
      ),
    );
    expect(p).toEqual([
      expect.stringMatching(
        /^pipewatch\.yaml:\d+:\d+: routing\.routes\[0\]\.labels: unknown field "labels".*expected one of: .*matchers.*receiver/,
      ),
    ]);
  },
  true,
);

// =========================================================== dispatch/dispatch_test.go (grouping)

const DISPATCH = 'dispatch/dispatch_test.go';

add(DISPATCH, 'TestGroupLabels', 'the group-by labels of an alert', () => {
  expect(groupLabelsOf(['a', 'b'], { a: 'v1', b: 'v2', c: 'v3' })).toEqual({ a: 'v1', b: 'v2' });
});

add(DISPATCH, 'TestGroupByAllLabels', "groupBy ['...']: every label", () => {
  const labels = { a: 'v1', b: 'v2', c: 'v3' };
  expect(groupLabelsOf(['...'], labels)).toEqual(labels);
  // Two alerts differing in any label are two incidents; the same labels, one.
  const match = { receiver: 'r', groupBy: ['...'], ...DEF };
  expect(incidentFor(match, labels).incidentId).toBe('pipewatch-incident/r/a=v1,b=v2,c=v3');
  expect(incidentFor(match, { ...labels, c: 'v4' }).incidentId).not.toBe(incidentFor(match, labels).incidentId);
});

// TestGetGroupLabels: an alert's group labels, for named labels and for every label.
const getGroupLabelsAlert = {
  alertname: 'TestAlert',
  job: 'prometheus',
  instance: 'localhost:9090',
  severity: 'critical',
};
add(DISPATCH, 'TestGetGroupLabels', 'specific labels', () => {
  expect(groupLabelsOf(['alertname', 'job'], getGroupLabelsAlert)).toEqual({
    alertname: 'TestAlert',
    job: 'prometheus',
  });
});
add(DISPATCH, 'TestGetGroupLabels', 'group by all', () => {
  expect(groupLabelsOf(['...'], getGroupLabelsAlert)).toEqual(getGroupLabelsAlert);
});

// TestGroups: which receivers and groups each alert reaches.
const groupsConfig = file(
  ['kafka', 'prod', 'testing'],
  `
routing:
  groupBy: ['alertname']
  groupWait: 1s
  groupInterval: 1s
  receiver: prod
  routes:
    - matchers: ['env = testing']
      receiver: testing
      groupBy: ['alertname', 'service']
    - matchers: ['env = prod']
      receiver: prod
      groupBy: ['alertname', 'service', 'cluster']
      continue: true
    - matchers: ['kafka = yes']
      receiver: kafka
      groupBy: ['alertname', 'service', 'cluster']`,
);
const groupsCases: Array<{ alert: Labels; groups: Array<[string, Labels]> }> = [
  { alert: { alertname: 'OtherAlert', cluster: 'cc', service: 'dd' }, groups: [['prod', { alertname: 'OtherAlert' }]] },
  {
    alert: { env: 'testing', alertname: 'TestingAlert', service: 'api', instance: 'inst1' },
    groups: [['testing', { alertname: 'TestingAlert', service: 'api' }]],
  },
  {
    alert: { env: 'prod', alertname: 'HighErrorRate', cluster: 'aa', service: 'api', instance: 'inst1' },
    groups: [['prod', { alertname: 'HighErrorRate', service: 'api', cluster: 'aa' }]],
  },
  {
    alert: { env: 'prod', alertname: 'HighErrorRate', cluster: 'aa', service: 'api', instance: 'inst2' },
    groups: [['prod', { alertname: 'HighErrorRate', service: 'api', cluster: 'aa' }]],
  },
  {
    alert: { env: 'prod', alertname: 'HighErrorRate', cluster: 'bb', service: 'api', instance: 'inst1' },
    groups: [['prod', { alertname: 'HighErrorRate', service: 'api', cluster: 'bb' }]],
  },
  {
    alert: { env: 'prod', alertname: 'HighLatency', cluster: 'bb', service: 'db', kafka: 'yes', instance: 'inst3' },
    groups: [
      ['prod', { alertname: 'HighLatency', service: 'db', cluster: 'bb' }],
      ['kafka', { alertname: 'HighLatency', service: 'db', cluster: 'bb' }],
    ],
  },
];
for (const c of groupsCases) {
  add(DISPATCH, 'TestGroups', JSON.stringify(c.alert), () => {
    const root = loaded(groupsConfig).notification.routing;
    expect(routeAlert(root, c.alert).map((m) => [m.receiver, incidentFor(m, c.alert).groupLabels])).toEqual(c.groups);
  });
}
add(DISPATCH, 'TestGroups', 'alerts 3 and 4 (same group, other instance) join one incident; 5 is another', () => {
  const root = loaded(groupsConfig).notification.routing;
  const id = (labels: Labels) => routeAlert(root, labels).map((m) => incidentFor(m, labels).incidentId);
  expect(id(groupsCases[2]!.alert)).toEqual(id(groupsCases[3]!.alert));
  expect(id(groupsCases[4]!.alert)).not.toEqual(id(groupsCases[2]!.alert));
});

// =========================================================== inhibit/inhibit_test.go

const INHIBIT = 'inhibit/inhibit_test.go';
const firing = (labels: Labels, i: number): ActiveAlert => ({ monitorId: `source-${i}`, labels, status: 'critical' });

// TestInhibitRuleHasEqual. Resolved source alerts are not in the store's list of alerting monitors, so
// "already resolved" sources are absent from `active`, as the store leaves them out.
const hasEqualCases: Array<{ name: string; firing: Labels[]; equal: string[]; input: Labels; result: boolean }> = [
  { name: 'no source alerts', firing: [], equal: [], input: { a: 'b' }, result: false },
  {
    name: 'no equal labels, any source alert satisfies the requirement',
    firing: [{}],
    equal: [],
    input: { a: 'b' },
    result: true,
  },
  { name: 'matching but already resolved', firing: [], equal: ['a', 'b'], input: { a: 'b', b: 'c' }, result: false },
  { name: 'matching and unresolved', firing: [{ a: 'b', c: 'f' }], equal: ['a'], input: { a: 'b' }, result: true },
  {
    name: 'equal label does not match',
    firing: [
      { a: 'c', c: 'd' },
      { a: 'c', c: 'f' },
    ],
    equal: ['a'],
    input: { a: 'b' },
    result: false,
  },
];
for (const c of hasEqualCases) {
  add(INHIBIT, 'TestInhibitRuleHasEqual', c.name, () => {
    const rule = { source: [], target: [], equal: c.equal };
    expect(hasEqual(rule, { monitorId: 'target', labels: c.input }, c.firing.map(firing), false) !== undefined).toBe(
      c.result,
    );
  });
}
// TestInhibitRule_fingerprintEquals: alerts agree on the `equal` labels when those labels' values agree, whatever
// the other labels say; Alertmanager checks it with a fingerprint of those labels, pipewatch compares them.
add(
  INHIBIT,
  'TestInhibitRule_fingerprintEquals',
  'same equal labels, other labels differ; one equal label differs',
  () => {
    const rule = { source: [], target: [], equal: ['cluster', 'service'] };
    const source = [firing({ cluster: 'prod', service: 'api', instance: 'host1' }, 1)];
    const target = (labels: Labels) => hasEqual(rule, { monitorId: 'target', labels }, source, false);
    expect(target({ cluster: 'prod', service: 'api', instance: 'host2' })).toBeDefined();
    expect(target({ cluster: 'staging', service: 'api' })).toBeUndefined();
  },
);

/** The two-rule setup of TestInhibitRuleMatches / TestInhibitRuleMatchers: source alert 1 for rule 1, source alert 2 (matching both sides) for rule 2. */
function inhibitCases(test: string, rules: string, cases: Array<[Labels, boolean]>) {
  for (const [target, muted] of cases) {
    add(INHIBIT, test, JSON.stringify(target), () => {
      const policy = loaded(file(['default'], `routing: { receiver: default }\ninhibit:\n${rules}`)).notification;
      const active = [firing({ s1: '1', t1: '2', e: '1' }, 1), firing({ s2: '1', t2: '1', e: '1' }, 2)];
      const reason = muteReason(
        { monitorId: 'target', labels: target },
        { now: 0, silences: [], maintenance: [], inhibit: policy.inhibit, active },
      );
      expect(reason?.kind === 'inhibited').toBe(muted);
    });
  }
}
inhibitCases(
  'TestInhibitRuleMatches',
  "  - { source: ['s1 = 1'], target: ['t1 = 1'], equal: [e] }\n  - { source: ['s2 = 1'], target: ['t2 = 1'], equal: [e] }",
  [
    [{ t1: '1', e: '1' }, true],
    [{ t2: '1', e: '1' }, true],
    [{ t1: '1', t3: '1', e: '1' }, true],
    [{ t1: '1', t2: '1', e: '1' }, true],
    [{ t1: '0', e: '1' }, false],
    [{ s1: '1', t1: '1', e: '1' }, true],
    [{ s2: '1', t2: '1', e: '1' }, false],
    [{ t1: '1', e: '0' }, false],
  ],
);
inhibitCases(
  'TestInhibitRuleMatchers',
  "  - { source: ['s1 = 1'], target: ['t1 != 1'], equal: [e] }\n  - { source: ['s2 = 1'], target: ['t2 = 1'], equal: [e] }",
  [
    [{ t1: '1', e: '1' }, false],
    [{ t2: '1', e: '1' }, true],
    [{ t1: '1', t3: '1', e: '1' }, false],
    [{ t1: '1', t2: '1', e: '1' }, true],
    [{ t1: '0', e: '1' }, true],
    [{ s1: '1', t1: '1', e: '1' }, false],
    [{ s2: '1', t2: '1', e: '1' }, true],
    [{ t1: '1', e: '0' }, false],
  ],
);

add(INHIBIT, 'TestInhibitRuleName', 'a named rule keeps its name, an unnamed one has none', () => {
  const { inhibit } = loaded(
    file(
      ['default'],
      "routing: { receiver: default }\ninhibit:\n  - { name: test-rule, source: ['severity = critical'], target: ['severity = warning'], equal: [instance] }\n  - { source: ['severity = critical'], target: ['severity = warning'], equal: [instance] }",
    ),
  ).notification;
  expect([inhibit[0]!.name, inhibit[1]!.name]).toEqual(['test-rule', undefined]);
  const reason = muteReason(
    { monitorId: 'w', labels: { severity: 'warning', instance: 'i' } },
    {
      now: 0,
      silences: [],
      maintenance: [],
      inhibit: [inhibit[0]!],
      active: [firing({ severity: 'critical', instance: 'i' }, 1)],
    },
  );
  expect(reason).toEqual({ kind: 'inhibited', by: 'source-1', rule: 'test-rule' });
});

// TestInhibit: alertOne {t=1,e=f} is muted by alertTwo {s=1,e=f} while alertTwo fires.
const inhibitRule =
  "routing: { receiver: default }\ninhibit:\n  - { source: ['s = 1'], target: ['t = 1'], equal: [e] }";
const inhibitScenarios: Array<{ name: string; firing: Labels[]; expected: Array<[Labels, boolean]> }> = [
  { name: 'alertTwo has not fired', firing: [{ t: '1', e: 'f' }], expected: [[{ t: '1', e: 'f' }, false]] },
  {
    name: 'alertTwo fires',
    firing: [
      { t: '1', e: 'f' },
      { s: '1', e: 'f' },
    ],
    expected: [
      [{ t: '1', e: 'f' }, true],
      [{ s: '1', e: 'f' }, false],
    ],
  },
  {
    name: 'alertTwo resolved (no longer among the alerting monitors)',
    firing: [{ t: '1', e: 'f' }],
    expected: [
      [{ t: '1', e: 'f' }, false],
      [{ s: '1', e: 'f' }, false],
    ],
  },
];
for (const c of inhibitScenarios) {
  add(INHIBIT, 'TestInhibit', c.name, () => {
    const policy = loaded(file(['default'], inhibitRule)).notification;
    const active = c.firing.map((labels, i) => firing(labels, i));
    for (const [labels, muted] of c.expected) {
      const self = active.find((a) => JSON.stringify(a.labels) === JSON.stringify(labels));
      const reason = muteReason(
        { monitorId: self?.monitorId ?? 'other', labels },
        { now: 0, silences: [], maintenance: [], inhibit: policy.inhibit, active },
      );
      expect([labels, reason?.kind === 'inhibited']).toEqual([labels, muted]);
    }
  });
}

// =========================================================== config/config_test.go

const CONFIG = 'config/config_test.go';
const refusal = (text: string, path: string, message: string) => {
  expect(problems(text)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^pipewatch\\.yaml:\\d+:\\d+: ${path.replace(/[.[\]]/g, '\\$&')}: ${message}`)),
    ]),
  );
};

add(CONFIG, 'TestDefaultReceiverExists', 'a root route without a receiver, and no defaults.notify', () => {
  refusal(
    file(['team-x'], 'routing:\n  groupWait: 30s'),
    'routing',
    'alerts that no route takes would reach nobody: .* write defaults\\.notify: \\[dev\\], name a receiver in routing\\.receiver, or write routing\\.receiver: none',
  );
});
add(CONFIG, 'TestReceiverNameIsUnique', 'a receiver declared twice', () => {
  const p = problems(
    'version: 1\nchannels: { dev: { type: console } }\nrouting: { receiver: team-x }\nreceivers:\n  team-x: { notify: [dev] }\n  team-x: { notify: [dev] }\n',
  );
  expect(p).toEqual([
    expect.stringMatching(/^pipewatch\.yaml:6:\d+: .*(duplicate key "team-x"|Map keys must be unique)/),
  ]);
});
add(CONFIG, 'TestReceiverExists', 'an undeclared receiver on the root', () => {
  refusal(
    file(['team-y'], 'routing: { receiver: team-x }'),
    'routing.receiver',
    'unknown receiver "team-x" .*declared receivers: team-y',
  );
});
add(CONFIG, 'TestReceiverExistsForDeepSubRoute', 'an undeclared receiver deep in the tree', () => {
  refusal(
    file(
      ['team-x'],
      "routing:\n  receiver: team-x\n  routes:\n    - matchers: ['foo = bar']\n      routes:\n        - matchers: ['foo = bar']\n          receiver: nonexistent",
    ),
    'routing.routes[0].routes[0].receiver',
    'unknown receiver "nonexistent"',
  );
});
add(CONFIG, 'TestReceiverHasName', 'a receiver with an empty name', () => {
  refusal(
    'version: 1\nchannels: { dev: { type: console } }\nrouting: { receiver: x }\nreceivers:\n  "": { notify: [dev] }\n',
    'receivers.',
    'invalid name "": an id of lowercase letters',
  );
});
for (const field of ['muteTimeIntervals', 'activeTimeIntervals']) {
  add(
    CONFIG,
    field === 'muteTimeIntervals' ? 'TestMuteTimeExists' : 'TestActiveTimeExists',
    `an undeclared interval in ${field}`,
    () => {
      refusal(
        file(
          ['team-y'],
          `routing:\n  receiver: team-y\n  routes:\n    - matchers: ['severity = critical']\n      ${field}: [business_hours]`,
        ),
        `routing.routes[0].${field}[0]`,
        'undefined time interval "business_hours" used in route; no time intervals are declared',
      );
    },
  );
}
add(CONFIG, 'TestTimeIntervalHasName', 'a time interval without a name', () => {
  refusal(
    file(
      ['team-x-mails'],
      "timeIntervals:\n  \"\":\n    - times: [{ startTime: '09:00', endTime: '17:00' }]\nrouting: { receiver: team-x-mails }",
    ),
    'timeIntervals.',
    'invalid name "": an id of lowercase letters',
  );
});
add(CONFIG, 'TestMuteTimeNoDuplicates', 'a time interval declared twice', () => {
  const p = problems(
    file(
      ['team-x-mails'],
      "timeIntervals:\n  duplicate:\n    - times: [{ startTime: '09:00', endTime: '17:00' }]\n  duplicate:\n    - times: [{ startTime: '10:00', endTime: '14:00' }]\nrouting: { receiver: team-x-mails }",
    ),
  );
  expect(p).toEqual([
    expect.stringMatching(/^pipewatch\.yaml:9:\d+: .*(duplicate key "duplicate"|Map keys must be unique)/),
  ]);
});
add(CONFIG, 'TestGroupByHasNoDuplicatedLabels', 'a label twice in groupBy', () => {
  refusal(
    file(
      ['team-x-mails'],
      "routing:\n  receiver: team-x-mails\n  groupBy: ['alertname', 'cluster', 'service', 'cluster']",
    ),
    'routing.groupBy[3]',
    'duplicated label "cluster" in groupBy; list each label once',
  );
});
add(CONFIG, 'TestWildcardGroupByWithOtherGroupByLabels', "'...' with other labels", () => {
  refusal(
    file(['team-x-mails'], "routing:\n  receiver: team-x-mails\n  groupBy: ['alertname', 'cluster', '...']"),
    'routing.groupBy',
    "cannot have wildcard groupBy \\('\\.\\.\\.'\\) and other labels at the same time; write groupBy: \\['\\.\\.\\.'\\] alone",
  );
});
add(CONFIG, 'TestGroupByInvalidLabel', 'an invalid label name in groupBy', () => {
  refusal(
    file(['team-x-mails'], "routing:\n  receiver: team-x-mails\n  groupBy: ['-invalid-']"),
    'routing.groupBy[0]',
    'invalid label name "-invalid-" in groupBy; write a label name',
  );
});
add(
  CONFIG,
  'TestRouteLabelsInvalidLabelName',
  'route labels: refused as an unknown field (pipewatch has no route labels)',
  () =>
    refusal(
      file(['team-x-mails'], 'routing:\n  receiver: team-x-mails\n  labels: { "-invalid-": value }'),
      'routing.labels',
      'unknown field "labels"',
    ),
);
add(
  CONFIG,
  'TestRouteLabelsValidLabelName',
  'route labels: refused as an unknown field (pipewatch has no route labels)',
  () =>
    refusal(
      file(['team-x-mails'], 'routing:\n  receiver: team-x-mails\n  labels: { team: team-X }'),
      'routing.labels',
      'unknown field "labels"',
    ),
  true,
);
add(CONFIG, 'TestRootRouteExists', 'receivers but no route and no default channels', () => {
  refusal(file(['team-x-mails'], ''), 'routing', 'alerts that no route takes would reach nobody');
});
for (const [field, word] of [
  ['muteTimeIntervals', 'mute'],
  ['activeTimeIntervals', 'active'],
] as const) {
  add(
    CONFIG,
    field === 'muteTimeIntervals' ? 'TestRootRouteNoMuteTimes' : 'TestRootRouteNoActiveTimes',
    `${field} on the root`,
    () => {
      refusal(
        file(
          ['team-x-mails'],
          `timeIntervals:\n  my-time:\n    - times: [{ startTime: '09:00', endTime: '17:00' }]\nrouting:\n  receiver: team-x-mails\n  ${field}: [my-time]`,
        ),
        `routing.${field}`,
        `the root route must not have any ${word} time intervals \\(as in Alertmanager\\); put ${field} on a route under routing\\.routes`,
      );
    },
  );
}
for (const [name, matchers] of [
  ['deprecated match: written as a matcher', "['severity = critical']"],
  ['matchers', "['severity=critical']"],
] as const) {
  add(CONFIG, 'TestRootRouteHasNoMatcher', name, () => {
    refusal(
      file(['team-x'], `routing:\n  receiver: team-x\n  matchers: ${matchers}`),
      'routing.matchers',
      'the root route must not have any matchers: it receives every alert',
    );
  });
}
add(CONFIG, 'TestContinueErrorInRouteRoot', 'continue on the root', () => {
  refusal(
    file(['team-x-mails'], 'routing:\n  receiver: team-x-mails\n  continue: true'),
    'routing.continue',
    'cannot have continue in the root route',
  );
});
add(CONFIG, 'TestGroupIntervalIsGreaterThanZero', 'groupInterval: 0s', () => {
  refusal(
    file(['team-x-mails'], 'routing:\n  receiver: team-x-mails\n  groupInterval: 0s'),
    'routing.groupInterval',
    'groupInterval cannot be zero; write how long to wait, e.g. 5m',
  );
});
add(CONFIG, 'TestRepeatIntervalIsGreaterThanZero', 'repeatInterval: 0s', () => {
  refusal(
    file(['team-x-mails'], 'routing:\n  receiver: team-x-mails\n  repeatInterval: 0s'),
    'routing.repeatInterval',
    'repeatInterval cannot be zero; write how long to wait, e.g. 4h',
  );
});
add(CONFIG, 'TestGroupByAll', "groupBy: ['...'] on the root loads", () => {
  expect(
    loaded(file(['team-x-mails'], "routing:\n  receiver: team-x-mails\n  groupBy: ['...']")).notification.routing
      .groupBy,
  ).toEqual(['...']);
});
add(CONFIG, 'TestGroupByEmptyOverride', 'a child with groupBy: [] overrides its parent', () => {
  const root = loaded(
    file(
      ['default'],
      "routing:\n  receiver: default\n  groupBy: ['alertname', 'cluster']\n  routes:\n    - groupBy: []",
    ),
  ).notification.routing;
  expect([root.groupBy, root.routes[0]!.groupBy]).toEqual([['alertname', 'cluster'], []]);
});

const PEERS = [ROUTE, DISPATCH, INHIBIT, CONFIG];

describe('Alertmanager routing, grouping and inhibition, ported', () => {
  it.each(rows.map((r) => [`${r.peer} ${r.test}: ${r.name}`, r] as const))('%s', (_name, row) => row.run());

  it('docs/COMPATIBILITY.md states how many cases of each peer file pass', () => {
    const doc = readFileSync('docs/COMPATIBILITY.md', 'utf8');
    const start = doc.indexOf('<!-- section: alertmanager-routing -->');
    const section = doc.slice(start, doc.indexOf('\n## ', start));
    for (const peer of PEERS) {
      const mine = rows.filter((r) => r.peer === peer);
      const refused = mine.filter((r) => r.refused).length;
      expect(section).toContain(
        `${mine.length - refused} of ${mine.length} \`${peer}\` cases pass, ${refused} refused at load`,
      );
    }
  });
});

// =========================================================== pipewatch's own

describe('routing beyond the ported cases', () => {
  it('does not let two alerts that each match both sides of a rule mute each other', () => {
    const { inhibit } = loaded(
      file(
        ['default'],
        'routing: { receiver: default }\ninhibit:\n  - { source: [\'severity =~ "critical|warning"\'], target: [\'severity =~ "critical|warning"\'], equal: [pipeline] }',
      ),
    ).notification;
    const a = { monitorId: 'a', labels: { pipeline: 'intel', severity: 'critical' }, status: 'critical' };
    const b = { monitorId: 'b', labels: { pipeline: 'intel', severity: 'warning' }, status: 'warning' };
    for (const me of [a, b])
      expect(muteReason(me, { now: 0, silences: [], maintenance: [], inhibit, active: [a, b] })).toBeUndefined();
    // A third alert that matches only the source side still mutes both.
    const c = {
      monitorId: 'c',
      labels: { pipeline: 'intel', severity: 'critical', source: 'only' },
      status: 'critical',
    };
    const sourceOnly = [
      { ...inhibit[0]!, source: [...inhibit[0]!.source, { label: 'source', op: '=' as const, value: 'only' }] },
    ];
    for (const me of [a, b])
      expect(muteReason(me, { now: 0, silences: [], maintenance: [], inhibit: sourceOnly, active: [a, b, c] })).toEqual(
        { kind: 'inhibited', by: 'c' },
      );
  });

  it('drops what a route sends to none, and refuses a receiver named none', () => {
    const root = loaded(
      file(['team'], "routing:\n  receiver: team\n  routes:\n    - matchers: ['env = dev']\n      receiver: none"),
    ).notification.routing;
    expect(routeAlert(root, { env: 'dev' })).toEqual([]);
    expect(routeAlert(root, { env: 'prod' }).map((m) => m.receiver)).toEqual(['team']);
    expect(loaded(file([], 'routing: { receiver: none }')).notification.routing.receiver).toBe('none');
    expect(problems(file(['none'], 'routing: { receiver: none }'))).toEqual([
      expect.stringMatching(
        /receivers\.none: "none" is reserved: a route with receiver: none drops what it matches on purpose/,
      ),
    ]);
  });

  it('loads a file that declares no channels at all (nothing can be told) and one whose defaults.notify is the root', () => {
    expect(load('version: 1\n')).not.toHaveProperty('problems');
    expect(
      loaded('version: 1\nchannels: { dev: { type: console } }\ndefaults: { notify: [dev] }\n').notification.routing
        .receiver,
    ).toBe('default');
  });

  it('refuses zero intervals on child routes too, and accepts a zero groupWait (as Alertmanager)', () => {
    refusal(
      file(['team'], "routing:\n  receiver: team\n  routes:\n    - matchers: ['a = b']\n      repeatInterval: 0s"),
      'routing.routes[0].repeatInterval',
      'repeatInterval cannot be zero',
    );
    refusal(
      file(['team'], "routing:\n  receiver: team\n  routes:\n    - matchers: ['a = b']\n      groupInterval: 0m"),
      'routing.routes[0].groupInterval',
      'groupInterval cannot be zero',
    );
    expect(loaded(file(['team'], 'routing:\n  receiver: team\n  groupWait: 0s')).notification.routing.groupWaitMs).toBe(
      0,
    );
  });

  it('gives an incident with a zero interval from an older definition the defaults instead of a loop', () => {
    const zero = { groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: 0 };
    expect(hasZeroInterval(zero)).toBe(true);
    expect(withoutZeroIntervals(zero)).toEqual({
      groupWaitMs: 0,
      groupIntervalMs: DEFAULT_GROUP_INTERVAL_MS,
      repeatIntervalMs: DEFAULT_REPEAT_INTERVAL_MS,
    });
    expect(hasZeroInterval(DEF)).toBe(false);
    expect(withoutZeroIntervals(DEF)).toEqual(DEF);
  });

  it('keeps mute and active time intervals on the route that names them only, and carries them to the incident', () => {
    const text = file(
      ['team', 'pager'],
      `timeIntervals:
  offhours:
    - weekdays: [saturday, sunday]
  hours:
    - times: [{ startTime: '09:00', endTime: '17:00' }]
routing:
  receiver: team
  routes:
    - matchers: ['severity = critical']
      receiver: pager
      muteTimeIntervals: [offhours]
      activeTimeIntervals: [hours]
      routes:
        - matchers: ['team = lake']`,
    );
    const policy = loaded(text).notification;
    const [parent] = policy.routing.routes;
    expect([parent!.muteTimeIntervals, parent!.activeTimeIntervals, parent!.routes[0]!.muteTimeIntervals]).toEqual([
      ['offhours'],
      ['hours'],
      undefined,
    ]);
    const [match] = routeAlert(policy.routing, { severity: 'critical' });
    expect(match).toMatchObject({ receiver: 'pager', muteTimeIntervals: ['offhours'], activeTimeIntervals: ['hours'] });
    const route = { ...match!, defined: policy.timeIntervals! };
    const alert = { monitorId: 'm', labels: { severity: 'critical' } };
    const none = { silences: [], maintenance: [], inhibit: [], active: [] };
    // Saturday noon UTC: within the active hours, but in offhours; muted without a break (offhours, then
    // outside the hours) until Monday 09:00.
    expect(muteReason(alert, { ...none, now: Date.parse('2026-06-06T12:00:00Z'), route })).toEqual({
      kind: 'time-interval',
      because: 'mute',
      intervals: ['offhours'],
      until: '2026-06-08T09:00:00.000Z',
    });
    // Monday 08:00: outside the active hours until 09:00.
    expect(muteReason(alert, { ...none, now: Date.parse('2026-06-08T08:00:00Z'), route })).toEqual({
      kind: 'time-interval',
      because: 'inactive',
      intervals: ['hours'],
      until: '2026-06-08T09:00:00.000Z',
    });
    expect(muteReason(alert, { ...none, now: Date.parse('2026-06-08T10:00:00Z'), route })).toBeUndefined();
  });

  it('sends a receiver reached twice with the same grouping one incident, and with another grouping two', () => {
    const root = loaded(
      file(
        ['team'],
        "routing:\n  receiver: team\n  routes:\n    - { matchers: ['a = 1'], receiver: team, continue: true }\n    - { matchers: ['a = 1'], receiver: team, continue: true }\n    - { matchers: ['a = 1'], receiver: team, groupBy: [a] }",
      ),
    ).notification.routing;
    expect(matchingRoutes(root, { a: '1' })).toHaveLength(3);
    expect(
      routeAlert(root, { a: '1', monitor: 'm' }).map((m) => incidentFor(m, { a: '1', monitor: 'm' }).incidentId),
    ).toEqual(['pipewatch-incident/team/monitor=m', 'pipewatch-incident/team/a=1']);
  });
});
