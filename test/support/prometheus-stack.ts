// A real Alertmanager and a real Prometheus (Debian's packages: prometheus-alertmanager, prometheus) for the
// tests that hand pipewatch's alerts to Alertmanager or read metrics back through PromQL. Each test file starts
// its own, on free loopback ports, with its own configuration and data directory, and stops it afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEnv } from './env.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface RunningServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function binary(name: string, pkg: string): string {
  const path = `/usr/bin/${name}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y ${pkg} (.ci/run does)`);
  return path;
}

async function run(bin: string, args: string[], url: string, ready: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}:\n${out}`);
      return fetch(`${url}${ready}`).then(
        (r) => r.ok,
        () => false,
      );
    },
    `${bin} to be ready`,
    30_000,
  );
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Alertmanager with one receiver that goes nowhere: what the tests read is its API. */
export async function startAlertmanager(): Promise<RunningServer> {
  const dir = mkdtempSync(join(testEnv().root, 'alertmanager-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route: { receiver: nobody, group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers: [{ name: nobody }]
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return run(
    binary('prometheus-alertmanager', 'prometheus-alertmanager'),
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    url,
    '/-/ready',
  );
}

/**
 * Prometheus scraping the given targets every second (and itself). With `remoteRead`, it also reads that URL
 * for every selector (read_recent): a failing one makes Prometheus answer with warnings.
 */
export async function startPrometheus(
  targets: string[] = [],
  options: { remoteRead?: string } = {},
): Promise<RunningServer> {
  const dir = mkdtempSync(join(testEnv().root, 'prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ["127.0.0.1:${port}"] }]
${targets.length ? `  - job_name: pipewatch\n    static_configs: [{ targets: [${targets.map((t) => `"${t}"`).join(', ')}] }]\n` : ''}${
      options.remoteRead ? `remote_read:\n  - { url: "${options.remoteRead}", read_recent: true }\n` : ''
    }`,
  );
  const url = `http://127.0.0.1:${port}`;
  return run(
    binary('prometheus', 'prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    url,
    '/-/ready',
  );
}
