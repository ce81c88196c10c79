// Stage counts and reconciliation on a real PostgreSQL: a synthetic pipeline
// whose parser silently drops a known set of ids. The report must name that
// stage, the exact number lost, and sample ids from the dropped set only —
// through the connector code, through a monitor run on a real worker, and in
// a backtest re-collected from the source.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { reconcileStages } from '../../connectors/stages.js';
import { startEmbeddedPostgres } from '../../store/embedded.js';
import type { HistoryStore } from '../../store/history.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import type { RunningWorker } from '../support/temporal.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const WINDOW_START = Date.parse('2026-11-20T10:00:00Z');
const AT = new Date('2026-11-20T11:10:00Z');

describe('stage counts on PostgreSQL', () => {
  let schema: TestSchema;
  let monitors: Record<string, MonitorDefinition>;
  let configText: string;
  const dropped = new Set<string>();

  beforeAll(async () => {
    schema = await createTestSchema('stages');
    const s = schema.name;
    await schema.pool.query(`
      CREATE TABLE "${s}".collected (record_id text, collected_at timestamptz);
      CREATE TABLE "${s}".parsed (record_id text, parsed_at timestamptz);
      CREATE TABLE "${s}".served (record_id text, served_at timestamptz);
      CREATE TABLE "${s}".enriched (record_id text, enriched_at timestamptz);
      CREATE TABLE "${s}".served_lossy (record_id text, served_at timestamptz);`);
    // 1,000 records collected in the window (ids upper-case, the parser lower-cases them);
    // the parser drops every 27th; parsing takes 90 s, so some land after the window.
    const collected: string[] = [];
    const parsed: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = `REC-${String(i).padStart(5, '0')}`;
      const t = new Date(WINDOW_START + i * 3_590).toISOString();
      collected.push(`('${id}', '${t}')`, ...(i % 10 === 0 ? [`('${id}', '${t}')`] : [])); // re-crawled duplicates
      if (i % 27 === 3) dropped.add(id.toLowerCase());
      else parsed.push(`(' ${id.toLowerCase()}', '${new Date(WINDOW_START + i * 3_590 + 90_000).toISOString()}')`);
    }
    await schema.pool.query(`INSERT INTO "${s}".collected VALUES ${collected.join(',')}`);
    await schema.pool.query(`INSERT INTO "${s}".parsed VALUES ${parsed.join(',')}`);
    await schema.pool.query(
      `INSERT INTO "${s}".served SELECT btrim(record_id), parsed_at + interval '30 seconds' FROM "${s}".parsed`,
    );
    // A serving stage that also loses records (ids ending in 5): two losing stages in one pipeline.
    await schema.pool.query(
      `INSERT INTO "${s}".served_lossy SELECT record_id, served_at FROM "${s}".served WHERE right(record_id, 1) <> '5'`,
    );
    // A filtering stage that keeps about half.
    await schema.pool.query(
      `INSERT INTO "${s}".enriched SELECT record_id, served_at FROM "${s}".served WHERE right(record_id, 1) IN ('0','2','4','6','8')`,
    );

    configText = `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  lake: { type: postgres, url: "${testEnv().databaseUrl}" }
pipelines:
  intel:
    stages:
      - { id: collected, connector: lake, dataset: ${s}.collected, uniqueId: record_id, timestamp: collected_at, normalise: [lowercase] }
      - { id: parsed, connector: lake, dataset: ${s}.parsed, uniqueId: record_id, timestamp: parsed_at, normalise: [trim] }
      - { id: served, connector: lake, dataset: ${s}.served, uniqueId: record_id, timestamp: served_at }
      - { id: enriched, connector: lake, dataset: ${s}.enriched, uniqueId: record_id, timestamp: enriched_at, expectedRatio: 0.5, tolerance: 0.05 }
  lossy:
    stages:
      - { id: collected, connector: lake, dataset: ${s}.collected, uniqueId: record_id, timestamp: collected_at, normalise: [lowercase] }
      - { id: parsed, connector: lake, dataset: ${s}.parsed, uniqueId: record_id, timestamp: parsed_at, normalise: [trim] }
      - { id: served, connector: lake, dataset: ${s}.served_lossy, uniqueId: record_id, timestamp: served_at }
  healthy:
    stages:
      - { id: parsed, connector: lake, dataset: ${s}.parsed, uniqueId: record_id, timestamp: parsed_at, normalise: [trim] }
      - { id: served, connector: lake, dataset: ${s}.served, uniqueId: record_id, timestamp: served_at }
monitors:
  - id: intel-stages
    check: { type: stageCounts, pipeline: intel, window: 1h, settle: 10m, sample: 15 }
    rules: [{ above: 0, severity: critical }]
  - id: lossy-stages
    check: { type: stageCounts, pipeline: lossy, window: 1h, settle: 10m, sample: 5 }
    rules: [{ above: 0, severity: critical }]
  - id: healthy-stages
    check: { type: stageCounts, pipeline: healthy, window: 1h, settle: 10m }
    rules: [{ above: 0, severity: critical }]
  - id: collected-hourly
    connector: lake
    check: { type: count, dataset: ${s}.collected, timestamp: collected_at, uniqueId: record_id, bucket: 1h, settle: 10m }
    rules:
      - { below: 100, severity: critical }
`;
    const config = parseConfig(configText, 'stages.yaml', { env: {} });
    monitors = Object.fromEntries(config.monitors.map((m) => [m.id, m]));
  });

  afterAll(async () => {
    await schema.drop();
  });

  const connectorsFor = (monitor: MonitorDefinition) =>
    monitor.stages!.map((stage) => ({
      stage,
      connector: postgresConnector.create(stage.connector.id, stage.connector as never),
    }));

  it('names the first losing stage, the exact number lost, and only dropped ids', async () => {
    const stages = connectorsFor(monitors['intel-stages']!);
    try {
      const check = monitors['intel-stages']!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
      const result = await reconcileStages({ pipeline: 'intel', stages, check, at: AT.getTime() });
      expect(result.window).toEqual({ from: new Date(WINDOW_START), to: new Date(WINDOW_START + 3_600_000) });
      expect(result.judgements.map((j) => [j.stage, j.count, j.lost, j.ok])).toEqual([
        ['collected', 1000, 0, true],
        // Counted in its own window, the parser misses the records parsed after 11:00 too;
        // the loss is judged by ids, with the late ones found up to the judging time.
        ['parsed', expect.any(Number), dropped.size, false],
        ['served', expect.any(Number), 0, true],
        ['enriched', expect.any(Number), expect.any(Number), true],
      ]);
      expect(result.measurement.value).toBe(dropped.size);
      expect(result.measurement.details).toMatchObject({
        firstLosingStage: 'parsed',
        lost: dropped.size,
        comparedBy: 'missing ids',
      });
      const sample = String(result.measurement.details!.sampleMissing).split(', ');
      expect(sample).toHaveLength(15);
      for (const id of sample) expect(dropped.has(id)).toBe(true);
    } finally {
      await Promise.all(stages.map((s) => s.connector.close()));
    }
  });

  /** "a 1,000 → b 941 (lost 37, late 22…" → the numbers of each segment. */
  const segments = (stagesLine: string) =>
    stagesLine.split('; ').map((seg) => {
      const m = /^(\S+) ([\d,]+) → (\S+) ([\d,]+) \(lost ([\d,]+)(?:, within tolerance)?, late ([\d,]+)/.exec(seg);
      if (!m) return { seg };
      const n = (x: string) => Number(x.replace(/,/g, ''));
      return { seg, from: m[1], upstream: n(m[2]!), to: m[3], downstream: n(m[4]!), lost: n(m[5]!), late: n(m[6]!) };
    });

  it('keeps upstream − lost − late = downstream in every comparison, with the late ones counted apart', async () => {
    for (const id of ['intel-stages', 'lossy-stages', 'healthy-stages']) {
      const stages = connectorsFor(monitors[id]!);
      try {
        const check = monitors[id]!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
        const result = await reconcileStages({ pipeline: id, stages, check, at: AT.getTime() });
        const line = String(result.measurement.details!.stages);
        const byIds = segments(line).filter((x) => 'lost' in x);
        expect(byIds.length).toBeGreaterThan(0);
        for (const x of byIds) expect([x.seg, x.upstream! - x.lost! - x.late!]).toEqual([x.seg, x.downstream]);
        for (const j of result.judgements.filter((j) => j.method === 'ids'))
          expect(j.arrived! + j.lost + j.late!).toBe(j.expected);
      } finally {
        await Promise.all(stages.map((s) => s.connector.close()));
      }
    }
    // The parser takes 90 s: records 978–999 are parsed after 11:00 — late, neither lost nor in the window's count.
    const stages = connectorsFor(monitors['intel-stages']!);
    try {
      const check = monitors['intel-stages']!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
      const result = await reconcileStages({ pipeline: 'intel', stages, check, at: AT.getTime() });
      const parsed = result.judgements[1]!;
      expect([parsed.expected, parsed.lost, parsed.late, parsed.arrived, parsed.count]).toEqual([
        1000,
        dropped.size,
        22,
        1000 - dropped.size - 22,
        1000 - dropped.size - 22,
      ]);
      expect(String(result.measurement.details!.stages)).toContain(
        `collected 1,000 → parsed ${1000 - dropped.size - 22} (lost ${dropped.size}, late 22)`,
      );
    } finally {
      await Promise.all(stages.map((s) => s.connector.close()));
    }
  });

  it('samples the missing ids of every losing stage, not only the first', async () => {
    const stages = connectorsFor(monitors['lossy-stages']!);
    try {
      const check = monitors['lossy-stages']!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
      const result = await reconcileStages({ pipeline: 'lossy', stages, check, at: AT.getTime() });
      expect(result.judgements.map((j) => [j.stage, j.ok])).toEqual([
        ['collected', true],
        ['parsed', false],
        ['served', false],
      ]);
      const d = result.measurement.details!;
      expect(d.firstLosingStage).toBe('parsed');
      const parsedSample = String(d['sampleMissing.parsed']).split(', ');
      const servedSample = String(d['sampleMissing.served']).split(', ');
      expect(d.sampleMissing).toBe(d['sampleMissing.parsed']);
      expect(parsedSample).toHaveLength(5);
      for (const id of parsedSample) expect(dropped.has(id)).toBe(true);
      expect(servedSample).toHaveLength(5);
      for (const id of servedSample) expect([id.endsWith('5'), dropped.has(id)]).toEqual([true, false]);
    } finally {
      await Promise.all(stages.map((s) => s.connector.close()));
    }
  });

  it('asks the database once when the stages share a connector, with the same judgements as the streamed merge', async () => {
    const check = monitors['intel-stages']!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
    const streamed = connectorsFor(monitors['intel-stages']!);
    const shared = postgresConnector.create('lake', monitors['intel-stages']!.stages![0]!.connector as never);
    (shared as { streamIds: unknown }).streamIds = () => {
      throw new Error('streamIds called: the stages were streamed, not compared in their database');
    };
    try {
      const expected = await reconcileStages({ pipeline: 'intel', stages: streamed, check, at: AT.getTime() });
      const result = await reconcileStages({
        pipeline: 'intel',
        stages: streamed.map((s) => ({ stage: s.stage, connector: shared })),
        check,
        at: AT.getTime(),
      });
      expect(result.judgements).toEqual(expected.judgements);
      expect(result.measurement).toEqual(expected.measurement);
    } finally {
      await Promise.all([...streamed.map((s) => s.connector.close()), shared.close()]);
    }
  });

  it('reports no loss for a healthy pipeline', async () => {
    const stages = connectorsFor(monitors['healthy-stages']!);
    try {
      const check = monitors['healthy-stages']!.check as Extract<MonitorDefinition['check'], { type: 'stageCounts' }>;
      const result = await reconcileStages({ pipeline: 'healthy', stages, check, at: AT.getTime() });
      expect(result.measurement.value).toBe(0);
      expect(result.measurement.details).toMatchObject({ firstLosingStage: null });
    } finally {
      await Promise.all(stages.map((s) => s.connector.close()));
    }
  });

  it('counts distinct records per aligned bucket in one query', async () => {
    const c = postgresConnector.create('lake', monitors['collected-hourly']!.connector as never);
    try {
      const check = monitors['collected-hourly']!.check as Extract<MonitorDefinition['check'], { type: 'count' }>;
      const series = await c.series!(
        check,
        { from: new Date(WINDOW_START - 3_600_000), to: new Date(WINDOW_START + 7_200_000) },
        3_600_000,
      );
      expect(series).toEqual([
        { at: '2026-11-20T09:00:00.000Z', value: 0 },
        { at: '2026-11-20T10:00:00.000Z', value: 1000 },
        { at: '2026-11-20T11:00:00.000Z', value: 0 },
      ]);
      const m = await c.collect({ check, at: AT });
      expect(m).toMatchObject({ value: 1000, observedAt: '2026-11-20T10:00:00.000Z' });
    } finally {
      await c.close();
    }
  });

  describe('as a monitor run', () => {
    let store: HistoryStore;
    let worker: RunningWorker;
    let client: Client;
    let fixture: WorkerWithStore;

    beforeAll(async () => {
      fixture = await startWorkerWithStore('stagestore');
      ({ store, worker, client } = fixture);
    });
    afterAll(async () => {
      await fixture?.close();
    });

    it('turns the loss into a critical verdict and records the counts per stage', async () => {
      const result = (await client.workflow.execute(monitorWorkflow, {
        args: [monitors['intel-stages']!],
        taskQueue: worker.settings.taskQueue,
        workflowId: uniqueName('stages-run'),
        // A scheduled run judges the window of its tick; this one judges 2026-11-20 10:00–11:00.
        searchAttributes: { TemporalScheduledStartTime: [AT] },
      })) as MonitorRunResult;
      expect(result.status).toBe('critical');
      expect(result.value).toBe(dropped.size);
      expect(result.reason).toBe(`records lost at stage parsed of pipeline intel ${dropped.size} is above 0`);
      const counts = await store.stageCounts('intel');
      expect(counts.map((c) => c.stage).sort()).toEqual(['collected', 'enriched', 'parsed', 'served']);
      expect(counts.find((c) => c.stage === 'parsed')!.lost).toBe(dropped.size);
    });
  });

  it('backtests a bucketed count re-collected from the source', async () => {
    const file = `${testEnv().root}/${schema.name}-backtest.yaml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, configText);
    const r = await runCli([
      'backtest',
      'collected-hourly',
      '--recollect',
      '--from',
      '2026-11-20T06:00:00Z',
      '--to',
      '2026-11-20T14:00:00Z',
      '--json',
      '-c',
      file,
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.points).toBe(8);
    expect(out.steps.map((s: { status: string }) => s.status)).toEqual([
      'critical',
      'critical',
      'critical',
      'critical',
      'ok',
      'critical',
      'critical',
      'critical',
    ]);
    // Default flap control: open after 3 failing runs (06, 07, 08); one healthy bucket (10) is not the 2 it takes to resolve.
    expect(out.steps.map((s: { transition: string }) => s.transition)).toEqual([
      'none',
      'none',
      'open',
      'none',
      'none',
      'none',
      'none',
      'none',
    ]);
    expect(out.incidents).toEqual([{ openedAt: '2026-11-20T08:00:00.000Z', worst: 'critical' }]);
  });
});

describe('stage comparison by ids on the embedded store', () => {
  // One PGlite session serves every client: two streamed cursors would wait on each other, one query does not.
  it('finds the missing ids with both stages behind one connector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-stages-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    const lake = postgresConnector.create('lake', {
      type: 'postgres',
      url: embedded.url,
      statementTimeout: 10_000,
      connectTimeout: 5_000,
      pool: { max: 4 },
    } as never);
    try {
      const db = new pg.Client({ connectionString: embedded.url });
      await db.connect();
      await db.query(
        `CREATE TABLE collected (record_id text, at timestamptz); CREATE TABLE parsed (record_id text, at timestamptz)`,
      );
      await db.query(
        `INSERT INTO collected SELECT 'r' || lpad(i::text, 4, '0'), $1::timestamptz + i * interval '1 second' FROM generate_series(0, 299) i`,
        [new Date(WINDOW_START)],
      );
      await db.query(
        `INSERT INTO parsed SELECT record_id, at + interval '5 seconds' FROM collected WHERE right(record_id, 1) <> '7'`,
      );
      await db.end();
      const source = (dataset: string) => ({
        id: dataset,
        connector: { id: 'lake' },
        dataset,
        uniqueId: 'record_id',
        timestamp: 'at',
        tolerance: 0,
        normalise: [],
      });
      const check = { type: 'stageCounts', pipeline: 'p', window: 3_600_000, settle: 600_000, sample: 3 } as Extract<
        MonitorDefinition['check'],
        { type: 'stageCounts' }
      >;
      const result = await reconcileStages({
        pipeline: 'p',
        stages: [
          { stage: source('collected'), connector: lake },
          { stage: source('parsed'), connector: lake },
        ] as never,
        check,
        at: AT.getTime(),
      });
      expect(result.judgements.map((j) => [j.stage, j.count, j.lost, j.ok])).toEqual([
        ['collected', 300, 0, true],
        ['parsed', 270, 30, false],
      ]);
      expect(result.measurement.details).toMatchObject({
        firstLosingStage: 'parsed',
        lost: 30,
        comparedBy: 'missing ids',
        sampleMissing: 'r0007, r0017, r0027',
      });
    } finally {
      await lake.close();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
