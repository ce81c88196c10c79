#!/usr/bin/env node
// Saves workflow histories from a Temporal server as replay fixtures
// (test/fixtures/histories/): for each pipewatch workflow type, one run per
// distinct shape (the kinds of events, activities, signals and updates it
// has), longest first. test/integration/replay.test.ts replays them
// against the current code, so a change that would break running workflows
// fails the build.
//
//   npm run histories:capture      run the test suite with a fixed codec key and save what it ran
//   node scripts/capture-histories.mjs --address 127.0.0.1:7233 [--out dir] [--per-type 6]
//
// Payloads stay as the server holds them: encrypted with the key in
// test/fixtures/histories/codec.keys (a test key, used for nothing else).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { History } = proto.temporal.api.history.v1;

/** A history as plain JSON (enums as names, 64-bit numbers and bytes as strings); History.fromObject reads it back. */
export function historyToObject(history) {
  return History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(root, 'test', 'fixtures', 'histories');
export const WORKFLOW_TYPES = [
  'monitorWorkflow',
  'incidentWorkflow',
  'silencesWorkflow',
  'heartbeatWorkflow',
  'interventionWorkflow',
  'archiveIngestWorkflow',
  'reportWorkflow',
  'demoCollectWorkflow',
  'demoEtlWorkflow',
  'demoRecordWorkflow',
];

/** What a run did, as a set: event types, activity types, signal and update names, markers. */
function shapeOf(history) {
  const parts = new Set();
  for (const e of history.events ?? []) {
    parts.add(String(e.eventType));
    const a = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (a) parts.add(`activity:${a}`);
    const sig = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (sig) parts.add(`signal:${sig}`);
    const upd = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (upd) parts.add(`update:${upd}`);
    const marker = e.markerRecordedEventAttributes?.markerName;
    if (marker) parts.add(`marker:${marker}`);
  }
  return [...parts].sort().join(' ');
}

/** types: capture (and replace) only these, e.g. after adding a workflow type, from a run of the tests that use it. */
export async function captureHistories({
  address,
  namespace = 'default',
  out = FIXTURES,
  perType = 6,
  types = WORKFLOW_TYPES,
  log = (line) => process.stderr.write(`${line}\n`),
}) {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  try {
    mkdirSync(out, { recursive: true });
    // Replaces the previous capture; fixtures kept from older code (renamed <type>-v<N>-…) stay.
    for (const f of readdirSync(out)) {
      const m = /^([A-Za-z]+)-\d+-[a-z_]+\.json$/.exec(f);
      if (m && types.includes(m[1])) rmSync(join(out, f));
    }
    let total = 0;
    for (const type of types) {
      // Every run of the type, read in full, then one per distinct shape (the
      // kinds of events, activities, signals and updates it has), longest first.
      const runs = [];
      for await (const w of client.workflow.list({ query: `WorkflowType = "${type}"` })) {
        if (runs.length >= 300) break;
        const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
        runs.push({ w, history, shape: shapeOf(history) });
      }
      runs.sort((a, b) => (b.history.events?.length ?? 0) - (a.history.events?.length ?? 0));
      const shapes = new Set();
      const chosen = [];
      for (const run of runs) {
        if (chosen.length >= perType || shapes.has(run.shape)) continue;
        shapes.add(run.shape);
        chosen.push(run);
      }
      for (const [i, { w, history }] of chosen.entries()) {
        const file = join(out, `${type}-${i + 1}-${w.status.name.toLowerCase()}.json`);
        writeFileSync(
          file,
          `${JSON.stringify({ workflowId: w.workflowId, workflowType: type, status: w.status.name, events: history.events?.length ?? 0, history: historyToObject(history) }, null, 1)}\n`,
        );
        total++;
      }
      log(
        `${type}: ${runs.length} runs, ${shapes.size} kept (${chosen.map(({ w, history }) => `${w.status.name} ${history.events?.length ?? 0} events`).join(', ') || 'none'})`,
      );
    }
    return total;
  } finally {
    await connection.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  if (process.argv.includes('--help') || !arg('address')) {
    process.stdout.write(
      'usage: node scripts/capture-histories.mjs --address host:port [--namespace default] [--out dir] [--per-type 6]\n',
    );
    process.exit(process.argv.includes('--help') ? 0 : 2);
  }
  const n = await captureHistories({
    address: arg('address'),
    namespace: arg('namespace', 'default'),
    out: arg('out', FIXTURES),
    perType: Number(arg('per-type', '6')),
  });
  process.stderr.write(`saved ${n} histories\n`);
}
