// Starts `temporal server start-dev` on a SQLite file under the data directory
// (so schedules, runs and incidents survive a restart), with the Web UI and
// pipewatch's search attributes registered, and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

export interface DevServerOptions {
  cli: string;
  dataDir: string;
  port?: number;
  /** Web UI port; null runs headless. */
  uiPort?: number | null;
  namespace?: string;
  /** Codec server the Web UI decodes payloads with. */
  uiCodecEndpoint?: string;
  /** Seconds to wait for the server to answer. */
  startTimeout?: number;
  /** More `start-dev` arguments, e.g. ['--sqlite-pragma', 'synchronous=OFF'] (benchmarks). */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export function searchAttributeFlags(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeTypeName(key.type)}`]);
}

function searchAttributeTypeName(type: string): string {
  // The SDK's KEYWORD / TEXT … as the CLI spells them.
  return (
    type.charAt(0) +
    type
      .slice(1)
      .toLowerCase()
      .replace(/_list$/, 'List')
  );
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort === undefined ? 8233 : options.uiPort;
  mkdirSync(options.dataDir, { recursive: true });
  if (await portOpen(port)) {
    throw new Error(
      `port ${port} is already in use: is a Temporal server running? To use it, set TEMPORAL_ADDRESS=127.0.0.1:${port}; otherwise stop it or pick another port`,
    );
  }
  const logFile = join(options.dataDir, 'temporal-server.log');
  const out = openSync(logFile, 'a');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    join(options.dataDir, 'temporal.db'),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'warn',
    ...(uiPort === null
      ? ['--headless']
      : [
          '--ui-port',
          String(uiPort),
          ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
        ]),
    ...searchAttributeFlags(),
    // A write-ahead log lets SQLite read while it writes, and NORMAL syncs at checkpoints rather than
    // at every commit (safe against a process crash; a power cut can lose the last commits, never
    // corrupt the file). With them the server spent about a third less CPU per monitor run
    // (BENCHMARKS.md, "Scale").
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.cli, args, { stdio: ['ignore', out, out], detached: false });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });

  const deadline = Date.now() + (options.startTimeout ?? 60) * 1000;
  while (!(await portOpen(port))) {
    if (exited !== undefined) {
      throw new Error(
        `the Temporal dev server exited with code ${exited}; its log (${logFile}) ends with:\n${tail(logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the Temporal dev server did not answer on port ${port} within ${options.startTimeout ?? 60}s; see ${logFile}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: uiPort === null ? undefined : `http://127.0.0.1:${uiPort}`,
    process: child,
    logFile,
    stop: () => stopProcess(child),
  };
}

export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
