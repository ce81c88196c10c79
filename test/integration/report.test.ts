// The pipeline report end to end: history seeded into a real PostgreSQL schema
// (stage counts over three days, freshness runs, incidents of this pipeline
// and of another), a live incident acknowledged after its last message and a
// question left open, then reportWorkflow on the dev server with a test worker,
// delivering to a real SMTP server. The email is parsed: its numbers must be
// the store's, its inline PNGs must decode at the chart size, and the saved
// report must be what was sent. Also: a repeated run sends nothing twice, and
// schedules sync creates, keeps and deletes the report schedule.
import { simpleParser } from 'mailparser';
import { ScheduleNotFoundError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { formatDuration } from '../../config/duration.js';
import { parseConfig, type LoadedConfig } from '../../config/load.js';
import type { ReportDefinition } from '../../config/model.js';
import { CHART_SIZE, type ReportSummary } from '../../reports/digest.js';
import { syncReports } from '../../schedules/sync.js';
import type { HistoryStore } from '../../store/history.js';
import { acknowledgeUpdate, alertSignal, incidentWorkflow, type AlertEvent } from '../../workflows/incident.js';
import { interventionWorkflow, type InterventionInput } from '../../workflows/intervention.js';
import { incidentsFor } from '../../evaluation/check.js';
import { reportScheduleId, reportWorkflow, type ReportResult } from '../../workflows/report.js';
import { uniqueName } from '../support/env.js';
import { decodePng } from '../support/png.js';
import { SmtpReceiver } from '../support/smtp.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STAGES = ['collected', 'parsed', 'served'];

/** Seeded counts of the window that ends h hours before the last full hour. */
const seeded = (h: number) => {
  const collected = 1_000 + h * 7;
  return { collected, parsed: collected - (h % 5), served: collected - (h % 5) - 3 };
};

describe('pipeline report', () => {
  const pipeline = uniqueName('rp').toLowerCase().replace(/_/g, '-');
  const other = `${pipeline}-other`;
  let fixture: WorkerWithStore;
  let smtp: SmtpReceiver;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let config: LoadedConfig;
  let definition: ReportDefinition;
  const started: string[] = [];

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    config = parseConfig(
      `version: 1
project: ${pipeline}
defaults: { schedule: { every: 1h }, notify: [mail, console] }
receivers: { default: { notify: [mail] } }
notifications: { retry: { initialInterval: 300ms, maximumInterval: 600ms }, timeout: 5s }
routing: { groupWait: 0s, groupInterval: 1h, repeatInterval: 1h }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: pipewatch@example.com, to: [lead@example.com] }
  console: { type: console }
connectors:
  lake: { type: postgres, url: "postgres://x@127.0.0.1/x" }
pipelines:
  ${pipeline}:
    description: intel from leak sites to the served index
    stages:
      - { id: collected, connector: lake, dataset: raw.c, uniqueId: id, timestamp: ts }
      - { id: parsed, connector: lake, dataset: parsed.p, uniqueId: id, timestamp: ts }
      - { id: served, connector: lake, dataset: served.s, uniqueId: id, timestamp: ts }
    report: { schedule: { every: 24h }, trend: 3 }
monitors:
  - id: ${pipeline}-stages
    check: { type: stageCounts, pipeline: ${pipeline}, window: 1h }
    rules: [{ above: 0, severity: critical }]
  - id: ${pipeline}-freshness
    pipeline: ${pipeline}
    connector: lake
    check: { type: freshness, dataset: parsed.p, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${other}-freshness
    pipeline: ${other}
    connector: lake
    check: { type: freshness, dataset: parsed.p, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
`,
      'report.yaml',
      { env: false },
    );
    definition = config.reports[0]!;
    fixture = await startWorkerWithStore('reportstore');
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    for (const id of started)
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    await fixture?.close();
    await smtp?.stop();
  });

  it("is declared per pipeline: daily unless told otherwise, to the email channels, with the pipeline's monitors", () => {
    expect(config.reports).toHaveLength(1);
    expect(definition).toMatchObject({
      pipeline,
      periodMs: DAY,
      trendPeriods: 3,
      stages: STAGES,
      schedule: { everyMs: DAY },
    });
    expect(definition.channels.map((c) => c.id)).toEqual(['mail']); // console cannot carry charts
    expect(definition.monitors.map((m) => m.id).sort()).toEqual([`${pipeline}-freshness`, `${pipeline}-stages`]);
    const defaulted = parseConfig(
      `version: 1
defaults: { notify: [hook] }
channels: { hook: { type: webhook, url: "http://127.0.0.1:1/x" } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/x" } }
pipelines:
  a: { stages: [{ id: s1, connector: lake, dataset: t1, uniqueId: id, timestamp: ts }, { id: s2, connector: lake, dataset: t2, uniqueId: id, timestamp: ts }] }
  b: { report: { enabled: false }, stages: [{ id: s1, connector: lake, dataset: t1, uniqueId: id, timestamp: ts }, { id: s2, connector: lake, dataset: t2, uniqueId: id, timestamp: ts }] }
`,
      'defaults.yaml',
      { env: false },
    );
    expect(defaulted.reports.map((r) => [r.pipeline, r.schedule.cron, r.periodMs, r.channels.length])).toEqual([
      ['a', '0 6 * * *', DAY, 0],
    ]);
    expect(() =>
      parseConfig(
        `version: 1
defaults: { notify: [hook] }
channels: { hook: { type: webhook, url: "http://127.0.0.1:1/x" } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/x" } }
pipelines:
  a: { report: { notify: [hook, nope] }, stages: [{ id: s1, connector: lake, dataset: t1, uniqueId: id, timestamp: ts }, { id: s2, connector: lake, dataset: t2, uniqueId: id, timestamp: ts }] }
`,
        'bad.yaml',
        { env: false },
      ),
    ).toThrow(
      /pipelines\.a\.report\.notify\[0\]: channel "hook" is a webhook channel; a report \(HTML with charts\) goes to email channels only[\s\S]*pipelines\.a\.report\.notify\[1\]: unknown channel "nope"/,
    );
  });

  it("reports the store's numbers in an email with inline charts, saves it, and sends it once", async () => {
    const now = Date.now();
    const lastHour = Math.floor(now / HOUR) * HOUR;

    // Three days of hourly windows for this pipeline, and a window of another pipeline that must not count.
    for (let h = 0; h < 72; h++) {
      const to = new Date(lastHour - h * HOUR);
      const c = seeded(h);
      await store.recordStageCounts(pipeline, { from: new Date(to.getTime() - HOUR), to }, [
        { stage: 'collected', count: c.collected, lost: 0 },
        { stage: 'parsed', count: c.parsed, lost: h % 5 },
        { stage: 'served', count: c.served, lost: 3 },
      ]);
    }
    await store.recordStageCounts(other, { from: new Date(lastHour - HOUR), to: new Date(lastHour) }, [
      { stage: 'collected', count: 999_999, lost: 0 },
    ]);

    // Freshness runs in the period: ages in seconds, one of them critical.
    const freshness = `${pipeline}-freshness`;
    const ages = [120, 300, 7_200, 240, 60];
    for (const [k, age] of ages.entries()) {
      await store.recordRun({
        monitorId: freshness,
        runId: `fresh-${k}`,
        verdict: {
          status: age > 3_600 ? 'critical' : 'ok',
          value: age,
          unit: 'seconds',
          reason: `newest record ${age}s old`,
          observedAt: new Date(now - (ages.length - k) * 3 * HOUR).toISOString(),
        },
        flap: { failAfter: 3, resolveAfter: 2 },
      });
    }

    // Past incidents: one within the period (acknowledged after 5 min, resolved after 1 h), one opened
    // in the previous period and resolved in this one, one of another pipeline.
    const past = (
      incidentId: string,
      pipelines: string[],
      openedAt: number,
      ackAfter?: number,
      resolveAfter?: number,
    ) =>
      store.recordIncidentEvents([
        {
          incidentId,
          openedAt: new Date(openedAt).toISOString(),
          event: 'opened',
          at: new Date(openedAt).toISOString(),
          receiver: 'default',
          severity: 'critical',
          pipelines,
          monitors: [],
        },
        ...(ackAfter !== undefined
          ? [
              {
                incidentId,
                openedAt: new Date(openedAt).toISOString(),
                event: 'acknowledged' as const,
                at: new Date(openedAt + ackAfter).toISOString(),
                by: 'bob',
                receiver: 'default',
                pipelines,
                monitors: [],
              },
            ]
          : []),
        ...(resolveAfter !== undefined
          ? [
              {
                incidentId,
                openedAt: new Date(openedAt).toISOString(),
                event: 'resolved' as const,
                at: new Date(openedAt + resolveAfter).toISOString(),
                receiver: 'default',
                pipelines,
                monitors: [],
              },
            ]
          : []),
      ]);
    await past(`pipewatch-incident/default/monitor=${pipeline}-a`, [pipeline], now - 20 * HOUR, 5 * 60_000, HOUR);
    await past(`pipewatch-incident/default/monitor=${pipeline}-b`, [pipeline], now - 30 * HOUR, undefined, 20 * HOUR);
    await past(`pipewatch-incident/default/monitor=${other}-c`, [other], now - 2 * HOUR, 60_000, undefined);
    // Recorded twice, out of order: the earliest acknowledgement stays.
    await store.recordIncidentEvents([
      {
        incidentId: `pipewatch-incident/default/monitor=${pipeline}-a`,
        openedAt: new Date(now - 20 * HOUR).toISOString(),
        event: 'acknowledged',
        at: new Date(now - 20 * HOUR + 30 * 60_000).toISOString(),
        by: 'carol',
        receiver: 'default',
        pipelines: [pipeline],
        monitors: [],
      },
    ]);

    // A live incident of this pipeline: its firing email records its opening; acknowledged afterwards, with no message since.
    const monitor = config.monitors.find((m) => m.id === freshness)!;
    const labels = { monitor: freshness, pipeline, severity: 'critical' };
    const [incident] = incidentsFor(monitor, labels);
    const at = new Date().toISOString();
    await client.workflow.signalWithStart(incidentWorkflow, {
      workflowId: incident!.incidentId,
      taskQueue: worker.settings.taskQueue,
      args: [incident!],
      signal: alertSignal,
      signalArgs: [
        {
          transition: 'open',
          runId: uniqueName('run'),
          monitor: { id: freshness, perspective: 'data', pipeline, labels: {} },
          labels,
          status: 'critical',
          verdict: {
            status: 'critical',
            value: 7_200,
            unit: 'seconds',
            reason: 'newest record 2h old',
            observedAt: at,
          },
          at,
        } satisfies AlertEvent,
      ],
    });
    started.push(incident!.incidentId);
    await smtp.waitForCount(new RegExp(`FIRING.*${freshness}`), 1);
    const afterFiring = await store.incidentPeriods({
      pipeline,
      monitors: [],
      from: new Date(now - DAY),
      to: new Date(now + HOUR),
    });
    expect(afterFiring.find((p) => p.incidentId === incident!.incidentId)).toMatchObject({
      severity: 'critical',
      acknowledgedAt: undefined,
    });
    await sleep(1_100); // a time to acknowledge of at least a second
    const acked = await client.workflow
      .getHandle(incident!.incidentId)
      .executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });

    // A question of this pipeline waiting on an operator.
    const question: InterventionInput = {
      kind: 'stalledStage',
      title: `parser of ${pipeline} is stuck`,
      question: 'skip the item or retry?',
      context: { pipeline, stage: 'parsed' },
      answers: ['skip', 'retry'],
      receiver: 'default',
      policy: config.notification,
      remindEveryMs: HOUR,
      deadlineMs: DAY,
      defaultAction: 'skip',
    };
    const questionId = `pipewatch-intervention/${pipeline}`;
    await client.workflow.start(interventionWorkflow, {
      workflowId: questionId,
      taskQueue: worker.settings.taskQueue,
      args: [question],
    });
    started.push(questionId);
    await waitFor(async () => {
      for await (const w of client.workflow.list({
        query: `WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running" AND PipewatchPipeline = "${pipeline}"`,
      }))
        if (w.workflowId === questionId) return true;
      return false;
    }, 'the question to be visible');

    const reportId = `pipewatch-report/${pipeline}-manual`;
    const result = await client.workflow.execute(reportWorkflow, {
      workflowId: reportId,
      taskQueue: worker.settings.taskQueue,
      args: [definition],
    });
    const r = result as ReportResult;
    expect(r).toMatchObject({
      reportId,
      saved: 'new',
      images: 2,
      delivered: [{ channelId: 'mail', outcome: 'sent' }],
      interventionsPending: 1,
    });

    // The saved report and the store's numbers for its period.
    const saved = (await store.report(reportId))!;
    expect(saved).toBeDefined();
    const from = Date.parse(saved.periodStart);
    const to = Date.parse(saved.periodEnd);
    expect(to - from).toBe(DAY);
    expect(Math.abs(to - now)).toBeLessThan(5 * 60_000);
    const windows = await store.stageCountsBetween(pipeline, new Date(from), new Date(to));
    const storeTotal = (stage: string) => windows.filter((w) => w.stage === stage).reduce((n, w) => n + w.count, 0);
    const periods = await store.incidentPeriods({
      pipeline,
      monitors: definition.monitors.map((m) => m.id),
      from: new Date(from),
      to: new Date(to),
    });
    const live = periods.find((p) => p.incidentId === incident!.incidentId)!;
    // The acknowledgement given after the last message reached the store when the report was made.
    expect(live).toMatchObject({
      acknowledgedBy: 'alice',
      acknowledgedAt: acked.acknowledgements[0]!.at,
      resolvedAt: undefined,
    });
    expect(periods.map((p) => p.incidentId)).not.toContain(`pipewatch-incident/default/monitor=${other}-c`);
    expect(periods.find((p) => p.incidentId.endsWith(`${pipeline}-a`))).toMatchObject({ acknowledgedBy: 'bob' });

    // The email.
    const [mail] = await smtp.waitForCount(new RegExp(`Report ${pipeline}`), 1);
    expect(mail!.headers.get('x-pipewatch-report')).toBe(reportId);
    const parsed = await simpleParser(mail!.raw, { skipImageLinks: true });
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    expect(html).toBe(saved.html);
    const cell = (row: string, metric: string) => {
      const m = new RegExp(`<tr ${row}>[\\s\\S]*?<td data-metric="${metric}"[^>]*>([^<]*)</td>`).exec(html);
      if (!m) throw new Error(`no ${metric} cell in row ${row}`);
      return m[1]!;
    };
    const int = (text: string) => Number(text.replace(/,/g, ''));

    // Records per stage: the store's sums, the seeded numbers, the previous period and the change.
    for (const stage of STAGES) {
      const total = storeTotal(stage);
      expect(total).toBeGreaterThan(0);
      expect(int(cell(`data-stage="${stage}"`, 'total'))).toBe(total);
      expect(int(cell(`data-stage="${stage}"`, 'windows'))).toBe(windows.filter((w) => w.stage === stage).length);
      const previous = (await store.stageCountsBetween(pipeline, new Date(from - DAY), new Date(from)))
        .filter((w) => w.stage === stage)
        .reduce((n, w) => n + w.count, 0);
      expect(int(cell(`data-stage="${stage}"`, 'previous'))).toBe(previous);
      const change = Math.round(((total - previous) / previous) * 1000) / 10;
      expect(cell(`data-stage="${stage}"`, 'change')).toBe(`${change > 0 ? '+' : ''}${change.toFixed(1)}%`);
    }
    // The seeding agrees: 24 hourly windows, the newest the last full hour.
    expect(windows.filter((w) => w.stage === 'collected')).toHaveLength(24);
    expect(storeTotal('collected')).toBe(
      Array.from({ length: 72 }, (_, h) => h)
        .filter((h) => lastHour - h * HOUR > from && lastHour - h * HOUR <= to)
        .reduce((n, h) => n + seeded(h).collected, 0),
    );
    expect(int(cell(`data-stage="parsed"`, 'lost'))).toBe(
      windows.filter((w) => w.stage === 'parsed').reduce((n, w) => n + w.lost, 0),
    );
    // Per window, too.
    const newest = windows.filter((w) => w.stage === 'served').at(-1)!;
    expect(html).toMatch(
      new RegExp(
        `<tr data-window="${newest.windowStart}">[\\s\\S]*?data-stage="served"[^>]*>${newest.count.toLocaleString('en-US')}</td>`,
      ),
    );

    // Freshness: the latest run and the worst of the period.
    const points = await store.pointsBetween(freshness, new Date(from), new Date(to));
    expect(points).toHaveLength(ages.length);
    expect(cell(`data-monitor="${freshness}"`, 'latest')).toBe(formatDuration(ages.at(-1)! * 1000));
    expect(cell(`data-monitor="${freshness}"`, 'worst')).toBe(
      formatDuration(Math.max(...points.map((p) => p.value!)) * 1000),
    );
    expect(cell(`data-monitor="${freshness}"`, 'failing-runs')).toBe(
      `${points.filter((p) => p.status !== 'ok').length} of ${points.length}`,
    );

    // Incidents: counts and times from the store's periods.
    const inPeriod = (t?: string) => t !== undefined && Date.parse(t) >= from && Date.parse(t) < to;
    const ackTimes = periods
      .filter((p) => inPeriod(p.acknowledgedAt))
      .map((p) => Date.parse(p.acknowledgedAt!) - Date.parse(p.openedAt));
    const resolveTimes = periods
      .filter((p) => inPeriod(p.resolvedAt))
      .map((p) => Date.parse(p.resolvedAt!) - Date.parse(p.openedAt));
    const medianOf = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
    };
    const incidents = (metric: string) => new RegExp(`<td data-metric="${metric}"[^>]*>([^<]*)</td>`).exec(html)![1]!;
    expect(int(incidents('opened'))).toBe(periods.filter((p) => inPeriod(p.openedAt)).length);
    expect(int(incidents('opened'))).toBe(2);
    expect(int(incidents('acknowledged'))).toBe(ackTimes.length);
    expect(ackTimes).toHaveLength(2);
    expect(int(incidents('resolved'))).toBe(resolveTimes.length);
    expect(resolveTimes.sort((a, b) => a - b)).toEqual([HOUR, 20 * HOUR]);
    expect(int(incidents('open'))).toBe(1);
    expect(incidents('tta')).toBe(`${formatDuration(medianOf(ackTimes))} / ${formatDuration(Math.max(...ackTimes))}`);
    expect(incidents('tta')).toMatch(/ \/ 5m$/);
    expect(incidents('ttr')).toBe(`${formatDuration(medianOf(resolveTimes))} / ${formatDuration(20 * HOUR)}`);
    expect(html).toContain(`data-intervention="${questionId}"`);
    expect((saved.summary as ReportSummary).incidents).toMatchObject({
      opened: 2,
      acknowledged: 2,
      resolved: 2,
      open: 1,
    });
    expect(r.incidents).toEqual({ opened: 2, acknowledged: 2, resolved: 2, open: 1 });

    // Inline charts: referenced by Content-ID, PNGs of the chart size, the same bytes as saved.
    const images = parsed.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const img of images) {
      expect(img.contentDisposition).toBe('inline');
      expect(html).toContain(`src="cid:${img.cid}"`);
      const png = decodePng(img.content);
      expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
      expect(
        saved.images.some((s) => s.png.equals(img.content) && s.width === png.width && s.height === png.height),
      ).toBe(true);
    }
    // The text part carries the numbers too.
    expect(parsed.text).toContain(`collected: ${storeTotal('collected').toLocaleString('en-US')} in 24 window(s)`);

    // Run again under the same id (a retried run): the saved report is kept, and nothing is sent twice.
    const again = (await client.workflow.execute(reportWorkflow, {
      workflowId: reportId,
      taskQueue: worker.settings.taskQueue,
      args: [definition],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    })) as ReportResult;
    expect(again).toMatchObject({ saved: 'existing', delivered: [{ channelId: 'mail', outcome: 'already-sent' }] });
    await sleep(500);
    expect(smtp.matching(new RegExp(`Report ${pipeline}`))).toHaveLength(1);
    expect(await store.reports(pipeline)).toEqual([expect.objectContaining({ reportId, periodEnd: saved.periodEnd })]);
  });

  it('is scheduled by schedules sync: pipewatch-report/<pipeline>, owned by the project, updated and deleted with the config', async () => {
    const target = { client, taskQueue: worker.settings.taskQueue, project: pipeline };
    const id = reportScheduleId(pipeline);
    // A scheduled run waits until its period's last window is judged (reports/period.ts): seconds here, not the hour
    // and twelve minutes its stage monitor would take.
    definition = { ...definition, judgedWithinMs: 3_000 };
    try {
      expect(await syncReports(target, [definition], true)).toEqual([`+ create ${id} (version ${definition.version})`]);
      await expect(client.schedule.getHandle(id).describe()).rejects.toThrow(ScheduleNotFoundError);
      expect(await syncReports(target, [definition])).toEqual([`+ create ${id} (version ${definition.version})`]);
      const d = await client.schedule.getHandle(id).describe();
      expect(d.memo?.pipewatch).toEqual({ owner: 'pipewatch', project: pipeline, pipeline });
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: reportWorkflow.name, workflowId: id });
      expect(d.spec.intervals?.[0]?.every).toBe(DAY);
      await waitFor(async () => {
        for await (const s of client.schedule.list()) if (s.scheduleId === id) return true;
        return false;
      }, 'the schedule to be listed');
      expect(await syncReports(target, [definition])).toEqual([]);

      // A run the schedule starts covers the period up to its scheduled time.
      await client.schedule.getHandle(id).trigger();
      const run = await waitFor(
        async () => (await client.schedule.getHandle(id).describe()).info.recentActions[0]?.action,
        'the triggered run',
      );
      const report = (await client.workflow.getHandle(run.workflow.workflowId).result()) as ReportResult;
      const scheduledAt = (await client.schedule.getHandle(id).describe()).info.recentActions[0]!.scheduledAt;
      // The scheduled time as the schedule stamps it on the run (whole seconds; also the workflow id's suffix), not the time the run started.
      const stamped = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000).toISOString();
      expect(report).toMatchObject({ reportId: run.workflow.workflowId, periodEnd: stamped, saved: 'new' });
      expect(run.workflow.workflowId).toBe(`${id}-${stamped.replace('.000Z', 'Z')}`);
      expect(report.delivered).toEqual([{ channelId: 'mail', outcome: 'sent' }]);
      await smtp.waitForCount(new RegExp(`Report ${pipeline}`), 2);
      const changed = { ...definition, trendPeriods: 5, version: 'changed' };
      expect(await syncReports(target, [changed])).toEqual([`~ update ${id} (${definition.version} → changed)`]);
      // Another project may not take it.
      await expect(syncReports({ ...target, project: 'someone-else' }, [definition])).rejects.toThrow(
        /not created by pipewatch project "someone-else"/,
      );
      expect(await syncReports(target, [])).toEqual([`- delete ${id}`]);
      await expect(client.schedule.getHandle(id).describe()).rejects.toThrow(ScheduleNotFoundError);
    } finally {
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
  });
});
