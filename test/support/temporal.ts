// Clients and in-process workers against the shared dev server, each test on
// its own task queue.
import { Client, Connection } from '@temporalio/client';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { HistoryStore } from '../../store/history.js';
import { createWorker, type PipewatchWorker } from '../../workers/worker.js';
import type { TemporalSettings } from '../../workers/connection.js';
import { testEnv, uniqueName } from './env.js';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this module registry
  }
}

export function testSettings(taskQueue = uniqueName('tq')): TemporalSettings {
  return { address: testEnv().temporalAddress, namespace: 'default', taskQueue };
}

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: testEnv().temporalAddress });
  return new Client({ connection, namespace: 'default' });
}

export interface RunningWorker {
  worker: PipewatchWorker;
  settings: TemporalSettings;
  stop(): Promise<void>;
}

export async function startTestWorker(store: HistoryStore, env: NodeJS.ProcessEnv = process.env, taskQueue?: string): Promise<RunningWorker> {
  quietRuntime();
  const settings = testSettings(taskQueue);
  const worker = await createWorker({ settings, store, workflowBundlePath: testEnv().bundlePath, env });
  const running = worker.run();
  return {
    worker,
    settings,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
