// Hostile and broken configuration: random mutations of valid files (lines
// dropped, duplicated, swapped or re-indented; values replaced by other
// types; keys misspelt; YAML anchors and aliases multiplied; binary noise;
// truncation). Every mutant either loads or is refused with located,
// readable problems — never an exception of another kind, never a hang.
// Reproducible: PIPEWATCH_FUZZ_SEED and PIPEWATCH_FUZZ_CASES choose the run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../config/load.js';
import { seededRandom } from '../support/random.js';

const SEED = Number(process.env.PIPEWATCH_FUZZ_SEED ?? 20261126);
const CASES = Number(process.env.PIPEWATCH_FUZZ_CASES ?? 10_000);

const SEEDS = [
  readFileSync(join(process.cwd(), 'examples', 'pipewatch.yaml'), 'utf8'),
  `version: 1
defaults: { schedule: { every: 1m }, notify: [mail] }
connectors:
  lake: { type: postgres, url: "postgres://reader@db:5432/lake", password: "\${LAKE_PASSWORD}" }
  search: { type: elasticsearch, node: "https://es:9200", apiKey: "\${ES_KEY}" }
  api: { type: http, url: "https://api.example.com", headers: { authorization: "Bearer \${TOKEN}" } }
  broker: { type: rabbitmq, url: "\${RABBIT_URL}" }
  cluster: { type: kubernetes, kubeconfig: ~/.kube/config, context: prod }
  files: { type: logfiles, path: "logs/*.ndjson" }
channels:
  mail: { type: email, smtp: { host: smtp, port: 587, password: "\${SMTP_PASSWORD}" }, from: a@b.c, to: [d@e.f] }
  hook: { type: webhook, url: "https://hooks.example.com/x", secret: "\${HOOK_SECRET}" }
pipelines:
  intel:
    stages:
      - { id: collected, connector: lake, dataset: raw.items, uniqueId: id, timestamp: ts }
      - { id: parsed, connector: search, dataset: parsed-*, uniqueId: id, timestamp: "@timestamp" }
routing:
  groupBy: [pipeline]
  routes: [{ matchers: ["severity = critical"], receiver: pager }]
receivers:
  pager: { notify: [hook], escalation: ladder }
escalations:
  ladder: { steps: [{ after: 5m, notify: [mail] }], repeat: 1 }
maintenance:
  - { id: nightly, cron: "0 2 * * *", duration: 1h, timezone: Europe/Berlin, reason: reindex, owner: lake }
monitors:
  - { id: fresh, connector: lake, check: { type: freshness, dataset: raw.items, timestamp: ts, expected: { cron: "*/10 * * * *", grace: 5m } }, rules: [{ above: 15m }] }
  - { id: lost, check: { type: stageCounts, pipeline: intel, window: 1h }, rules: [{ above: 0, severity: critical }] }
  - { id: api, connector: api, check: { type: http, path: /health, conditions: ["[STATUS] == 200", "[BODY].status == UP"] }, rules: [{ percentile: { p: 95, over: 1h, above: 800ms } }] }
  - { id: q, connector: broker, check: { type: queue, queue: orders }, rules: [{ rising: 3 }] }
  - { id: errors, connector: search, check: { type: logs, index: "logs-*", query: "log.level:error", rule: frequency, window: 5m }, rules: [{ above: 10 }] }
  - { id: pods, connector: cluster, check: { type: podHealth, namespace: lake, labels: "app in (crawler,parser)" }, rules: [{ above: 0 }] }
  - { id: cron, connector: cluster, check: { type: cronJobs, namespace: lake }, rules: [{ above: 0 }] }
  - { id: count, connector: lake, check: { type: count, dataset: raw.items, timestamp: ts, bucket: 1h }, rules: [{ anomaly: { sensitivity: 3, seasonality: hourOfDay } }] }
`,
];

const VALUES = [
  '0',
  '-1',
  '1e309',
  '"',
  "'",
  'null',
  '~',
  'true',
  '[]',
  '{}',
  '[1, [2, [3]]]',
  '{ a: { b: { c: 1 } } }',
  '"${}"',
  '"${NOT SET}"',
  '15x',
  '1h30',
  '"*/5 * * *"',
  'é日本',
  '"\\u0000"',
  '!!binary aGVsbG8=',
  '!!js/function "x"',
  '*nothing',
  '&a 1',
  '"a".repeat(1e9)',
  'x'.repeat(5000),
  '2026-11-26T10:00:00Z',
  '0x1F',
  '.inf',
  '- a',
];
const KEYS = [
  'id',
  'type',
  'connector',
  'check',
  'rules',
  'schedule',
  'every',
  'cron',
  'window',
  'labels',
  'namespace',
  'above',
  'below',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '<<',
  '? complex',
  '',
];

function mutate(text: string, random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const lines = text.split('\n');
  const i = Math.floor(random() * lines.length);
  const j = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 13)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[j]!);
      break;
    case 2:
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    case 3:
      lines[i] = random() < 0.5 ? `  ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '');
      break;
    case 4:
      // A value replaced by one of another type.
      lines[i] = lines[i]!.replace(/:\s*(.+)$/, `: ${pick(VALUES)}`);
      break;
    case 5:
      // A key replaced.
      lines[i] = lines[i]!.replace(/^(\s*-?\s*)[A-Za-z_][\w]*:/, `$1${pick(KEYS)}:`);
      break;
    case 6: {
      // Noise, including control characters and invalid UTF-16.
      const noise = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
        String.fromCharCode(Math.floor(random() * 0xd800)),
      ).join('');
      const at = Math.floor(random() * text.length);
      return text.slice(0, at) + noise + text.slice(at);
    }
    case 7:
      return text.slice(0, Math.floor(random() * text.length));
    case 8: {
      // An alias bomb: each level doubles the one before.
      const levels = 10 + Math.floor(random() * 20);
      const bomb = [
        'x0: &x0 [lol, lol]',
        ...Array.from({ length: levels }, (_, k) => `x${k + 1}: &x${k + 1} [*x${k}, *x${k}]`),
      ].join('\n');
      return `${bomb}\n${text}`;
    }
    case 9:
      // Deep nesting.
      lines[i] = lines[i]!.replace(/:\s*(.+)$/, `: ${'['.repeat(200)}${']'.repeat(200)}`);
      break;
    case 10:
      lines[i] = lines[i]!.replace(/ /g, '\t');
      break;
    case 11:
      // A merge key pulling a mapping in.
      lines.splice(i, 0, `${lines[i]!.match(/^\s*/)![0]}<<: { id: merged, type: postgres }`);
      break;
    case 12:
      lines[i] = `${lines[i]} # ${pick(VALUES)}`;
      break;
  }
  return lines.join('\n');
}

describe(`configuration fuzzing (${CASES} mutants, seed ${SEED})`, () => {
  it('starts from files that load', () => {
    for (const seed of SEEDS) expect(parseConfig(seed, 'seed.yaml', { env: false }).monitors.length).toBeGreaterThan(2);
  });

  it('loads every mutant or refuses it with located, readable problems; nothing crashes or hangs', () => {
    const random = seededRandom(SEED);
    const outcomes = { loaded: 0, refused: 0 };
    // What a mutant can make pipewatch produce: the loaded configuration or the refusal's text. An alias bomb or
    // a nesting explosion shows here as size, deterministically — not as time, which depends on the machine's load
    // (a wall-clock bound failed a CI run on a loaded machine). A real hang fails at jest's timeout.
    let largest = { chars: 0, text: '' };
    for (let n = 0; n < CASES; n++) {
      let text = SEEDS[n % SEEDS.length]!;
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r++) text = mutate(text, random);
      let produced: number;
      try {
        produced = JSON.stringify(parseConfig(text, 'fuzz.yaml', { env: false })).length;
        outcomes.loaded++;
      } catch (err) {
        if (!(err instanceof ConfigError)) {
          throw new Error(
            `mutant ${n} (seed ${SEED}) threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}\n--- mutant ---\n${text.slice(0, 3000)}`,
            { cause: err },
          );
        }
        for (const p of err.problems) {
          if (
            typeof p.message !== 'string' ||
            p.message.trim() === '' ||
            /undefined|\[object Object\]/.test(p.message)
          ) {
            throw new Error(
              `mutant ${n} (seed ${SEED}): unreadable problem ${JSON.stringify(p)}\n--- mutant ---\n${text.slice(0, 3000)}`,
              { cause: err },
            );
          }
        }
        expect(err.message).toMatch(/^fuzz\.yaml(:\d+:\d+)?: /);
        produced = err.message.length;
        outcomes.refused++;
      }
      if (produced > largest.chars) largest = { chars: produced, text };
    }
    // No mutant multiplies what it produces: duplicated lines can add some monitors, but four times the largest seed
    // would mean aliases or nesting were expanded.
    const bound = 4 * Math.max(...SEEDS.map((s) => JSON.stringify(parseConfig(s, 'seed.yaml', { env: false })).length));
    expect({
      largest:
        largest.chars < bound
          ? 'bounded'
          : `${largest.chars} chars (bound ${bound}) from: ${largest.text.slice(0, 500)}`,
    }).toEqual({ largest: 'bounded' });
    expect(outcomes.loaded + outcomes.refused).toBe(CASES);
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(outcomes.loaded).toBeGreaterThan(CASES / 50);
    expect(outcomes.refused).toBeGreaterThan(CASES / 2);
  });
});
