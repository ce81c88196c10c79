// The status page in a real headless Chromium (Debian's chromium, driven by
// playwright-core), over a real history store and the shared dev server: a
// monitor run by monitorWorkflow on a test worker goes critical when rows pile
// up in a table (the fault), opens a real incident, and recovers when they are
// removed; the page, left open, shows each step by itself. A question waits
// on an operator; a monitor's reason and a description carry markup that must
// stay text. Links go to the Temporal Web UI of the shared dev server and are
// followed there in the browser to the workflow's history. Token
// rules are checked on a second server bound to 0.0.0.0, and through the CLI.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig, type LoadedConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { HistoryStore } from '../../store/history.js';
import { startStatusPage } from '../../ui/index.js';
import { workflowUrl } from '../../ui/page.js';
import { COOKIE } from '../../ui/server.js';
import type { StatusData } from '../../ui/status.js';
import { interventionWorkflow, type InterventionInput } from '../../workflows/intervention.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import type { RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

// What the functions run inside the page see (the project's TypeScript has no DOM library).
interface PageElement {
  classList: { contains(c: string): boolean };
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(selector: string): PageElement | null; body: PageElement };
declare const window: { __loadedOnce?: boolean; __xss?: number };

const CHROMIUM = process.env.PIPEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const TEMPORAL_UI = testEnv().temporalUi; // the shared dev server's Web UI
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
const TOKEN = 'status-page-test-token-0123456789';
const XSS_REASON = `backlog of <img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script> "rows"`;
const XSS_DESCRIPTION = `<script>window.__xss=3</script>rows waiting to be parsed`;

describe('status page', () => {
  const name = uniqueName('ui').toLowerCase().replace(/_/g, '-');
  const pipeline = `${name}-intel`;
  let schema: TestSchema;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;
  let config: LoadedConfig;
  let backlog: MonitorDefinition;
  let page: Awaited<ReturnType<typeof startStatusPage>>;
  let browser: Browser;
  let tab: Page;
  const started: string[] = [];
  let runs = 0;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `the status page test needs Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it), or set PIPEWATCH_CHROMIUM`,
      );
    }
    schema = await createTestSchema('uipage');
    await schema.pool.query(`CREATE TABLE "${schema.name}".backlog (id serial PRIMARY KEY)`);
    fixture = await startWorkerWithStore('uipagestore', { ...process.env, LAKE_URL: testEnv().databaseUrl });
    ({ store, worker, client } = fixture);
    config = parseConfig(
      `version: 1
project: ${name}
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 }, notify: [dev] }
routing: { groupWait: 0s }
notifications: { retry: { initialInterval: 1s, maximumInterval: 2s }, timeout: 10s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", statementTimeout: 2s, connectTimeout: 2s }
  api: { type: http, url: "http://127.0.0.1:1" }
channels:
  dev: { type: console }
monitors:
  - id: ${name}-backlog
    description: "${XSS_DESCRIPTION}"
    perspective: data
    pipeline: ${pipeline}
    connector: lake
    check: { type: sql, query: 'SELECT count(*) FROM "${schema.name}".backlog' }
    rules: [{ above: 5, severity: critical }]
  - id: ${name}-api
    perspective: services
    pipeline: ${pipeline}
    connector: api
    check: { type: http, path: /health }
    rules: [{ above: 2s }]
  - id: ${name}-odd
    perspective: logs
    connector: lake
    check: { type: sql, query: 'SELECT 1' }
    rules: [{ above: 5 }]
`,
      'status-page.yaml',
      { env: false },
    );
    backlog = config.monitors.find((m) => m.id === `${name}-backlog`)!;

    page = await startStatusPage({
      config,
      store,
      client,
      namespace: 'default',
      taskQueue: worker.settings.taskQueue,
      port: 0,
      refreshSeconds: 1,
      points: 20,
      temporalUi: TEMPORAL_UI,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await page?.stop();
    for (const id of started)
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    await fixture?.close();
    await schema?.drop();
  });

  /** One run of the backlog monitor, as its schedule would start it. */
  async function runBacklog(): Promise<MonitorRunResult> {
    const workflowId = `pipewatch-monitor/${backlog.id}-${++runs}`;
    return (await client.workflow.execute(monitorWorkflow, {
      workflowId,
      taskQueue: worker.settings.taskQueue,
      args: [backlog],
    })) as MonitorRunResult;
  }
  const rowOf = (id: string) => tab.locator(`tr.monitor[data-monitor="${id}"]`);

  it('shows monitors by pipeline and perspective with state, last value and sparkline, and goes critical on a fault by itself', async () => {
    // Healthy runs with a growing backlog, then the XSS-y monitor's one recorded run.
    for (let i = 0; i < 3; i++) {
      await schema.pool.query(`INSERT INTO "${schema.name}".backlog DEFAULT VALUES`);
      expect((await runBacklog()).status).toBe('ok');
    }
    await store.recordRun({
      monitorId: `${name}-odd`,
      runId: `${name}-odd-1`,
      verdict: {
        status: 'warning',
        value: 7,
        unit: 'records',
        reason: XSS_REASON,
        observedAt: new Date().toISOString(),
      },
      flap: { failAfter: 3, resolveAfter: 2 },
    });

    await tab.goto(`${page.url}/`);
    await tab.evaluate(() => (window.__loadedOnce = true));
    await expect(tab.title()).resolves.toBe(`pipewatch · ${name}`);

    // Grouping: the pipeline's section holds the data and services tables; the odd monitor sits apart.
    const section = tab.locator(`section.pipeline[data-pipeline="${pipeline}"]`);
    await expect(
      section.locator('table.monitors').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-perspective'))),
    ).resolves.toEqual(['data', 'services']);
    await expect(tab.locator('section.pipeline[data-pipeline=""] h2').textContent()).resolves.toBe(
      'monitors without a pipeline',
    );

    const row = rowOf(backlog.id);
    await expect(row.getAttribute('class')).resolves.toContain('status-ok');
    await expect(row.locator('td.value').textContent()).resolves.toBe('3');
    await expect(row.locator('svg.sparkline polyline').count()).resolves.toBe(1);
    await expect(row.locator('svg.sparkline polyline').getAttribute('points')).resolves.toMatch(
      /^(\S+,\S+ ){2}\S+,\S+$/,
    ); // three points
    await expect(rowOf(`${name}-api`).locator('.badge').textContent()).resolves.toBe('unknown');
    await expect(rowOf(`${name}-api`).locator('td.reason').textContent()).resolves.toBe('no run recorded yet');

    // The fault: rows pile up. The next run is critical, opens an alert and a real incident.
    await schema.pool.query(`INSERT INTO "${schema.name}".backlog SELECT FROM generate_series(1, 7)`);
    const run = await runBacklog();
    expect(run).toMatchObject({ status: 'critical', transition: 'open' });
    const incidentId = (await store.monitorStates([backlog.id])).get(backlog.id)!.incidentIds[0]!;
    started.push(incidentId);
    expect(incidentId).toBe(`pipewatch-incident/default/monitor=${backlog.id}`);

    // Without a reload the page turns the row critical, shows the incident as firing, and links it.
    await tab.waitForFunction(
      (id) => document.querySelector(`tr.monitor[data-monitor="${id}"]`)?.classList.contains('status-critical'),
      backlog.id,
      { timeout: 15_000 },
    );
    await expect(row.locator('.badge').textContent()).resolves.toBe('critical');
    await expect(row.locator('td.value').textContent()).resolves.toBe('10');
    await expect(row.getAttribute('class')).resolves.toContain('alerting');
    await expect(row.locator('svg.sparkline circle.dot-critical').count()).resolves.toBe(1);
    const incidentRow = tab.locator(`tr.incident[data-incident="${incidentId}"]`);
    await tab.waitForFunction(
      (id) => document.querySelector(`tr.incident[data-incident="${id}"]`)?.textContent?.includes('firing'),
      incidentId,
      { timeout: 30_000 },
    );
    await expect(incidentRow.getAttribute('class')).resolves.toContain('status-critical');
    await expect(row.locator('a.incident-link').getAttribute('href')).resolves.toBe(
      workflowUrl(TEMPORAL_UI, 'default', incidentId),
    );
    await expect(tab.evaluate(() => window.__loadedOnce)).resolves.toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

    // Healed: the rows are worked off; the next run resolves, and the page follows.
    await schema.pool.query(`DELETE FROM "${schema.name}".backlog`);
    expect(await runBacklog()).toMatchObject({ status: 'ok', transition: 'resolve' });
    await tab.waitForFunction(
      (id) => document.querySelector(`tr.monitor[data-monitor="${id}"]`)?.classList.contains('status-ok'),
      backlog.id,
      { timeout: 15_000 },
    );
    await expect(row.locator('a.incident-link').count()).resolves.toBe(0);
    await expect(tab.evaluate(() => window.__loadedOnce)).resolves.toBe(true);
  });

  it('lists a question waiting on an operator, and every link opens its workflow in the Temporal Web UI', async () => {
    const question: InterventionInput = {
      kind: 'stalledStage',
      title: `parser of ${pipeline} <b>is stuck</b>`,
      question: 'skip the item or retry?',
      context: { pipeline, stage: 'parsed' },
      answers: ['skip', 'retry'],
      receiver: 'default',
      policy: config.notification,
      remindEveryMs: 3_600_000,
      deadlineMs: 86_400_000,
      defaultAction: 'skip',
    };
    const questionId = `pipewatch-intervention/${name}`;
    await client.workflow.start(interventionWorkflow, {
      workflowId: questionId,
      taskQueue: worker.settings.taskQueue,
      args: [question],
    });
    started.push(questionId);
    const link = tab.locator(`tr.intervention[data-intervention="${questionId}"] a.intervention-link`);
    await waitFor(
      async () => (await link.count()) === 1 && (await link.textContent()) === question.title,
      'the question on the page',
      30_000,
    );
    await expect(tab.locator('tr.intervention b').count()).resolves.toBe(0);

    const hrefs = await tab
      .locator(`tr.monitor[data-monitor="${backlog.id}"] a.run-link, a.incident-link, a.intervention-link`)
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThanOrEqual(3);
    // Each link is followed in the Web UI: it opens the named workflow's latest run, not a 404.
    const prefix = `${TEMPORAL_UI}/namespaces/default/workflows/`;
    const ui = await browser.newPage();
    try {
      for (const href of hrefs) {
        expect(href.startsWith(prefix)).toBe(true);
        const workflowId = decodeURIComponent(href.slice(prefix.length));
        expect(href.slice(prefix.length)).not.toContain('/');
        const { runId } = await client.workflow.getHandle(workflowId).describe();
        await ui.goto(href);
        await ui.waitForURL(`${href}/${runId}/history`, { timeout: 30_000 });
        await waitFor(
          async () => (await ui.locator('body').innerText()).includes(workflowId),
          `the Web UI to show ${workflowId}`,
          30_000,
          250,
        );
        expect(await ui.locator('body').innerText()).not.toMatch(/\b404\b/);
      }
    } finally {
      await ui.close();
    }
    expect(hrefs).toContain(workflowUrl(TEMPORAL_UI, 'default', questionId));
    expect(hrefs).toContain(workflowUrl(TEMPORAL_UI, 'default', `pipewatch-monitor/${backlog.id}-${runs}`));
  });

  it('shows markup from the config and the data as text', async () => {
    await tab.reload();
    expect(await tab.evaluate(() => window.__xss)).toBeUndefined();
    await expect(rowOf(`${name}-odd`).locator('td.reason').textContent()).resolves.toBe(XSS_REASON);
    await expect(rowOf(backlog.id).locator('small').textContent()).resolves.toBe(XSS_DESCRIPTION);
    await expect(rowOf(`${name}-odd`).locator('img, script').count()).resolves.toBe(0);
    const html = await (await fetch(`${page.url}/`)).text();
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('backlog of &lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; &amp; &lt;script&gt;');
  });

  it('serves the same data as JSON at /api/status', async () => {
    const res = await fetch(`${page.url}/api/status`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const data = (await res.json()) as StatusData;
    // The declared monitors and the built-in self-monitor, whose verdict also heads the page (none yet here).
    expect(data.monitors.map((m) => m.id).sort()).toEqual([
      `pipewatch-schedules-${name}`,
      `${name}-api`,
      `${name}-backlog`,
      `${name}-odd`,
    ]);
    expect(data.saturation).toEqual({ alerting: false });
    const m = data.monitors.find((x) => x.id === backlog.id)!;
    const stored = await store.recentPoints(backlog.id, 20);
    expect(m).toMatchObject({ status: 'ok', pipeline, perspective: 'data', lastValue: 0, lastRunId: stored[0]!.runId });
    expect(m.points.map((p) => p.value)).toEqual(stored.map((p) => p.value).reverse());
    expect(data.interventions.map((i) => i.workflowId)).toContain(`pipewatch-intervention/${name}`);
    expect((await fetch(`${page.url}/api/status`, { method: 'POST' })).status).toBe(405);
  });

  it('requires a token when bound beyond localhost: 401 without, 200 with, refuses to start without one', async () => {
    const common = {
      config,
      store,
      client,
      namespace: 'default',
      taskQueue: worker.settings.taskQueue,
      port: 0,
      host: '0.0.0.0',
      refreshSeconds: 1,
    };
    await expect(startStatusPage(common)).rejects.toThrow(
      /open to the network: give it a token with --token or PIPEWATCH_UI_TOKEN/,
    );

    const guarded = await startStatusPage({ ...common, token: TOKEN });
    try {
      const base = `http://127.0.0.1:${guarded.port}`;
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/status`)).status).toBe(401);
      expect((await fetch(`${base}/`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(
        401,
      );
      expect((await fetch(`${base}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
      expect((await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

      // ?token= sets a cookie (not the token itself) and drops the token from the address.
      const first = await fetch(`${base}/?token=${TOKEN}`, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/');
      const cookie = first.headers.get('set-cookie')!;
      expect(cookie).toMatch(new RegExp(`^${COOKIE}=[^;]+; HttpOnly; SameSite=Strict; Path=/$`));
      expect(cookie).not.toContain(TOKEN);
      expect((await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);

      // In the browser: the link with the token lands on the page, which keeps refreshing with the cookie.
      const other = await browser.newPage();
      await other.goto(`${base}/?token=${TOKEN}`);
      expect(new URL(other.url()).search).toBe('');
      await expect(other.locator(`tr.monitor[data-monitor="${backlog.id}"]`).count()).resolves.toBe(1);
      const before = await other.locator('main').getAttribute('data-generated-at');
      await other.waitForFunction(
        (b) => document.querySelector('main')?.getAttribute('data-generated-at') !== b,
        before,
        { timeout: 10_000 },
      );
      expect(await other.evaluate(() => document.body.getAttribute('data-stale'))).toBeNull();
      await other.close();
    } finally {
      await guarded.stop();
    }
  });

  it('pipewatch ui answers --help and refuses 0.0.0.0 without a token', async () => {
    const help = await runCli(['ui', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--port <port>[\s\S]*--host <host>[\s\S]*--token <token>[\s\S]*\/api\/status/);
    const refused = await runCli(['ui', '--host', '0.0.0.0', '--port', '0'], { PIPEWATCH_UI_TOKEN: '' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to serve the status page on 0\.0\.0\.0 without a token/);
  });
});
