// The real `pipewatch` command (dist/cli/main.js, built by `npm test`), run as
// a child process the way an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
  stdin?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, NODE_OPTIONS: '' } });
    child.stdin.end(stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipewatch ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `pipewatch worker`, ready once it says it is polling. Output goes to logFile too. */
export async function spawnWorker(env: NodeJS.ProcessEnv, logFile: string, bundlePath: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--workflow-bundle', bundlePath], {
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  let out = '';
  const collect = (c: Buffer) => {
    out += c.toString();
    log.write(c);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${out}`);
      return out.includes('pipewatch worker polling');
    },
    'the worker to start polling',
    60_000,
  );
  return {
    child,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      log.end();
    },
  };
}
