// `pipewatch start` as `npm start` runs it on a machine where the Kubernetes binaries are cached: without
// --kubeconfig it starts its local cluster by default (etcd, kube-apiserver, controller-manager, scheduler,
// a kwok node; examples/local-cluster.ts), deploys the example's parser Deployment and collector CronJob
// there, and watches them — so the status page shows all four perspectives. Then each operations fault of
// `pipewatch demo break` (pod, cronjob, node) fires and resolves on Kubernetes' own controllers, and gives
// exactly one firing and one resolved message per receiver whose first line names what was broken (issue 24).
// Alert emails go to a real SMTP receiver; nothing here writes a status a controller or a kubelet would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { findControlPlane } from '../../devserver/kubernetes.js';
import { runCli } from '../support/cli.js';
import { CLI } from '../support/cli.js';
import { testEnv } from '../support/env.js';
import { freePort } from '../support/ports.js';
import { SmtpReceiver, type ReceivedMail } from '../support/smtp.js';
import { sleep, waitFor } from '../support/wait.js';

const MIN = 60_000;

interface StatusRow {
  id: string;
  perspective: string;
  status?: string;
  reason?: string;
}

describe('pipewatch start: the local Kubernetes cluster by default, and the operations faults on it', () => {
  const dataDir = mkdtempSync(join(testEnv().root, 'start-cluster-'));
  let smtp: SmtpReceiver;
  let child: ChildProcess;
  let output = '';
  let exit: Promise<number | null>;
  let statusUrl: string;
  /** Messages per fault and receiver, printed at the end for docs/CORRELATION.md. */
  const measured: string[] = [];

  const kindOf = (m: ReceivedMail) => /\] ([A-Z]+)/.exec(m.subject)?.[1];
  const incidentOf = (m: ReceivedMail) => /Incident (\S+), opened/.exec(m.text)?.[1] ?? '(none)';
  const firstLine = (m: ReceivedMail) => m.text.split('\n')[0]!;
  const status = async () =>
    (await (await fetch(`${statusUrl}/api/status`)).json()) as {
      monitors: StatusRow[];
      incidents: Array<{ workflowId: string; state: string; pipeline: string }>;
    };
  const rows = async (): Promise<StatusRow[]> => (await status()).monitors;
  const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { PIPEWATCH_DATA_DIR: dataDir });

  beforeAll(async () => {
    // Cached, as on a machine that has run the tests or `npm start` once (built here otherwise, minutes, once).
    findControlPlane();
    smtp = await SmtpReceiver.start();
    const [port, statusPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    statusUrl = `http://127.0.0.1:${statusPort}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: '',
      TEMPORAL_CLI: testEnv().cli,
      // The receiver holds the port, so the example sends there instead of starting its outbox.
      PIPEWATCH_OUTBOX_PORT: String(smtp.port),
      PIPEWATCH_DEMO_API_PORT: String(apiPort),
      // No broker there: the example falls back to its in-process queue.
      EXAMPLE_AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
    };
    for (const name of [
      'TEMPORAL_ADDRESS',
      'DATABASE_URL',
      'PIPEWATCH_CONFIG',
      'EXAMPLE_DATABASE_URL',
      'EXAMPLE_KUBECONFIG',
    ])
      delete env[name];
    child = spawn(
      process.execPath,
      [
        CLI,
        'start',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--headless',
        '--status-port',
        String(statusPort),
        '--metrics-port',
        'off',
      ],
      { env, cwd: dataDir },
    );
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`pipewatch start exited with ${child.exitCode}:\n${output}`);
        return output.includes('pipewatch is running');
      },
      'pipewatch start to be running',
      180_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- pipewatch start printed:\n${output}`);
    });
  }, 240_000);

  afterAll(async () => {
    // Ctrl-C first, so its dev server and cluster stop with it; SIGKILL would leave them running.
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await Promise.race([exit, sleep(30_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exit;
    }
    await smtp?.stop();
    if (measured.length) process.stdout.write(`operations faults, messages per receiver:\n${measured.join('\n')}\n`);
  });

  it(
    'starts the local cluster without being asked and shows all four perspectives on the status page',
    async () => {
      expect(output).toContain(
        'starting a local Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, a kwok node)',
      );
      expect(output).toMatch(/the local Kubernetes cluster started in \d+ s/);
      expect(output).toMatch(/example cluster https:\/\/127\.0\.0\.1:\d+, namespace pipewatch-example/);
      expect(output).not.toContain('example cluster not watched');
      const operations = ['example-pods', 'example-k8s-events', 'example-cronjobs'];
      const seen = await waitFor(
        async () => {
          const all = await rows();
          const ok = (id: string) => all.find((r) => r.id === id)?.status === 'ok';
          const perspectives = new Set(all.filter((r) => r.status === 'ok').map((r) => r.perspective));
          return operations.every(ok) && ['data', 'logs', 'services', 'operations'].every((p) => perspectives.has(p))
            ? all
            : undefined;
        },
        'every perspective with a healthy monitor on /api/status, the three operations monitors among them',
        3 * MIN,
        2_000,
      ).catch(async (err: Error) => {
        throw new Error(
          `${err.message}\n${JSON.stringify(await rows(), null, 1)}\n--- output:\n${output.slice(-3000)}`,
        );
      });
      expect(seen.filter((r) => r.perspective === 'operations').map((r) => r.id)).toEqual(
        expect.arrayContaining(operations),
      );
      const page = await (await fetch(`${statusUrl}/`)).text();
      for (const p of ['data', 'logs', 'services', 'operations']) expect(page).toContain(`data-perspective="${p}"`);
    },
    4 * MIN,
  );

  /**
   * One operations fault: `demo break`, every monitor in `firing` alerts, `demo heal`, they resolve; then, per
   * receiver (incident), exactly one FIRING and one RESOLVED message, the firing one's first line naming the
   * monitor and what was broken, the resolved one's naming the monitor.
   */
  async function faultStory(fault: string, firing: string[], broken: RegExp, timeoutMs: number): Promise<void> {
    // Start from a quiet pipeline, as a person would read it: a monitor already failing would open the pipeline's
    // incident first, and the fault's cause would join it as a change; an incident still open would resolve in the
    // middle of this story.
    await waitFor(
      async () => {
        const now = await status();
        return (
          now.monitors.every(
            (r) => !r.status || ['ok', 'learning'].includes(r.status) || r.id.startsWith('pipewatch-schedules'),
          ) && now.incidents.every((i) => i.pipeline !== 'example' || i.state === 'resolved')
        );
      },
      `every monitor ok and no incident open before "demo break ${fault}"`,
      3 * MIN,
      2_000,
    );
    const start = smtp.messages.length;
    const since = () => smtp.messages.slice(start);
    const fired = (m: string) => since().some((x) => kindOf(x) === 'FIRING' && x.subject.includes(`: ${m} `));
    expect((await cli(['demo', 'break', fault])).stdout).toContain(`broken: ${fault}`);
    await waitFor(
      () => firing.every(fired),
      `${firing.join(', ')} to fire after "demo break ${fault}"`,
      timeoutMs,
      1_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\nmessages:\n${since()
          .map((m) => m.subject)
          .join('\n')}\n--- output:\n${output.slice(-3000)}`,
      );
    });
    expect((await cli(['demo', 'heal'])).stdout).toMatch(/healed: .*the example pipeline runs normally/);
    const incidents = () => [...new Set(since().map(incidentOf))];
    await waitFor(
      () => incidents().every((id) => since().some((m) => incidentOf(m) === id && kindOf(m) === 'RESOLVED')),
      `every incident of "${fault}" to resolve after heal`,
      3 * MIN,
      1_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\nmessages:\n${since()
          .map((m) => m.subject)
          .join('\n')}`,
      );
    });
    // Late messages (a reminder, a second incident) would show in this pause.
    await sleep(20_000);
    for (const id of incidents()) {
      const messages = since().filter((m) => incidentOf(m) === id);
      measured.push(`${fault} → ${id}: ${messages.map((m) => `${kindOf(m)} "${firstLine(m)}"`).join(' · ')}`);
      expect(messages.map(kindOf)).toEqual(['FIRING', 'RESOLVED']);
      const [open, done] = messages as [ReceivedMail, ReceivedMail];
      expect(firstLine(open)).toMatch(new RegExp(`^FIRING [A-Z]+: (${firing.join('|')}) \\(operations, stage \\w+\\)`));
      expect(firstLine(open)).toMatch(broken);
      expect(firstLine(done)).toMatch(new RegExp(`^RESOLVED: (${firing.join('|')}) \\(operations, stage \\w+\\)`));
    }
    // One incident per receiver that heard of it.
    expect(incidents().length).toBe(new Set(incidents().map((id) => id.split('/')[1])).size);
  }

  it(
    'pod: a parser pod whose image cannot be pulled (ImagePullBackOff on the kwok node)',
    async () => {
      await faultStory('pod', ['example-pods'], /example-parser: ImagePull \(image layer\)/, 3 * MIN);
    },
    8 * MIN,
  );

  it(
    'cronjob: the controller-manager stops, so Kubernetes does not run the collector and says nothing',
    async () => {
      await faultStory('cronjob', ['example-cronjobs'], /example-collector: missed the run due/, 4 * MIN);
    },
    9 * MIN,
  );

  it(
    "node: the node's kubelet (kwok) stops; NotReady, named with its Ready condition, resolved when it is Ready again",
    async () => {
      await faultStory('node', ['example-pods', 'example-k8s-events'], /kwok-node-1/, 3 * MIN);
    },
    8 * MIN,
  );

  it(
    'stops cleanly on Ctrl-C, the cluster with it, also when Ctrl-C is pressed twice',
    async () => {
      child.kill('SIGINT');
      await sleep(300);
      // Once the worker has stopped the SDK no longer holds the signal: the second must not end start half-way.
      child.kill('SIGINT');
      expect(await exit).toBe(0);
      expect(output).toContain('still stopping; one more Ctrl-C leaves the cluster and the server running');
      // etcd, kube-apiserver, the controllers, kwok and the dev server all run with paths under the data directory.
      const left = spawnSync('pgrep', ['-af', dataDir], { encoding: 'utf8' });
      expect(left.stdout.trim()).toBe('');
    },
    MIN,
  );
});
