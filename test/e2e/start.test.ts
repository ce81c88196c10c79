// `pipewatch start` on embedded defaults, as `npm start` runs it: its own dev
// server, the embedded store, the example pipeline and its monitors; healthy
// runs, a clean Ctrl-C, and state that survives a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../workers/codec.js';
import { CLI } from '../support/cli.js';
import { testEnv } from '../support/env.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

async function start(
  dataDir: string,
  port: number,
  outboxPort: number,
  apiPort: number,
  metricsPort?: number,
): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    TEMPORAL_CLI: testEnv().cli,
    PIPEWATCH_OUTBOX_PORT: String(outboxPort),
    PIPEWATCH_DEMO_API_PORT: String(apiPort),
    // No broker there: the example falls back to its in-process queue (test/e2e/demo.test.ts runs it on RabbitMQ).
    EXAMPLE_AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
  };
  for (const name of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'PIPEWATCH_CONFIG', 'EXAMPLE_DATABASE_URL']) delete env[name];
  // --no-cluster: the local Kubernetes cluster (the default) is test/e2e/start-cluster.test.ts's subject.
  const args = [CLI, 'start', '--data-dir', dataDir, '--port', String(port), '--headless', '--no-cluster'];
  args.push('--metrics-port', metricsPort === undefined ? 'off' : String(metricsPort));
  const child = spawn(process.execPath, args, {
    env,
    cwd: dataDir,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`pipewatch start exited with ${child.exitCode}:\n${out}`);
        return out.includes('pipewatch is running');
      },
      'pipewatch start to be running',
      150_000,
    );
  } catch (err) {
    // What it printed and what its server logged, to tell a slow machine from a hang.
    child.kill('SIGKILL');
    const log = join(dataDir, 'temporal', 'temporal-server.log');
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '(no server log)';
    throw new Error(
      `${(err as Error).message}\n--- pipewatch start printed:\n${out}\n--- ${log} ends with:\n${serverLog}`,
      { cause: err },
    );
  }
  return { child, output: () => out, exit };
}

describe('pipewatch start (embedded defaults)', () => {
  const dataDir = mkdtempSync(join(testEnv().root, 'start-'));
  let port: number;
  let outboxPort: number;
  let apiPort: number;

  beforeAll(async () => {
    port = await freePort();
    outboxPort = await freePort();
    apiPort = await freePort();
  });

  it('runs the example monitors on its own dev server and store, and stops cleanly on Ctrl-C', async () => {
    const metricsPort = await freePort();
    const first = await start(dataDir, port, outboxPort, apiPort, metricsPort);
    // Nine monitors in the example; the RabbitMQ one is left out without a broker; the built-in self-monitor.
    expect(first.output()).toContain('9 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(first.output()).toMatch(
      /in-process queue \(RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 not reachable: ECONNREFUSED; left out: collected-queue\)/,
    );
    expect(first.output()).toContain(
      'example cluster not watched: turned off with --no-cluster (--kubeconfig FILE watches a cluster of yours); left out: example-pods, example-k8s-events, example-cronjobs',
    );
    expect(first.output()).toContain(`email outbox    ${join(dataDir, 'outbox')} (SMTP on 127.0.0.1:${outboxPort})`);

    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    const client = new Client({ connection, dataConverter: dataConverter() });
    try {
      await waitFor(
        async () => {
          for await (const run of client.workflow.list({
            query: `WorkflowType = "monitorWorkflow" AND ExecutionStatus = "Completed" AND PipewatchStatus = "ok"`,
          })) {
            return run;
          }
          return undefined;
        },
        'a healthy example monitor run',
        90_000,
        1_000,
      );
      // The worker's Prometheus scrape target (issue 23): pipewatch's own metrics and the Temporal SDK's.
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      expect(first.output()).toContain(`metrics         ${metricsUrl} (Prometheus scrape target`);
      const exposition = await waitFor(
        async () => {
          const body = await (await fetch(metricsUrl)).text();
          return /^pipewatch_checks_total\{[^}]*result="ok"[^}]*\} [1-9]/m.test(body) ? body : undefined;
        },
        'an ok check counted on the metrics endpoint',
        30_000,
        1_000,
      );
      expect(exposition).toMatch(/^pipewatch_monitor_status\{[^}]*monitor="/m);
      expect(exposition).toMatch(/^temporal_[a-z_]+(\{[^}]*\})? \d/m);
      // The example pipeline moves records through its in-process queue.
      await waitFor(
        async () => {
          for await (const run of client.workflow.list({
            query: `WorkflowType = "demoEtlWorkflow" AND ExecutionStatus = "Completed"`,
          })) {
            const result = await client.workflow.getHandle(run.workflowId, run.runId).result();
            if ((result as { parsed?: number }).parsed) return result;
          }
          return undefined;
        },
        'an ETL run that parsed records from the in-process queue',
        60_000,
        1_000,
      );
    } finally {
      await connection.close();
    }

    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    expect(existsSync(join(dataDir, 'temporal', 'temporal.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'store'))).toBe(true);
  }, 300_000);

  it('finds its schedules still there after a restart', async () => {
    // A new server port: the first run's may have been taken by another test since (its state is in the data directory).
    const second = await start(dataDir, await freePort(), outboxPort, apiPort);
    expect(second.output()).toContain('0 to create, 0 to update, 0 to delete, 9 unchanged');
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 200_000);
});
