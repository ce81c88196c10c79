// Clients and in-process workers against the shared dev server, each test on
// its own task queue.
import { Client, Connection } from '@temporalio/client';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { HistoryStore } from '../../store/history.js';
import { dataConverter } from '../../workers/codec.js';
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
  return new Client({ connection, namespace: 'default', dataConverter: dataConverter() });
}

export interface RunningWorker {
  worker: PipewatchWorker;
  settings: TemporalSettings;
  stop(): Promise<void>;
}

export async function startTestWorker(
  store: HistoryStore,
  env: NodeJS.ProcessEnv = process.env,
  taskQueue?: string,
): Promise<RunningWorker> {
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

/**
 * The text of a workflow history as an authorised reader sees it: every
 * encrypted payload decoded with the run's codec keys and shown as text.
 */
export async function decodedHistoryText(history: unknown): Promise<string> {
  const { AesGcmCodec, codecKeys } = await import('../../workers/codec.js');
  const keys = codecKeys();
  const codec = keys ? new AesGcmCodec(keys) : undefined;
  const parts: string[] = [];
  const walk = async (value: unknown): Promise<void> => {
    if (Array.isArray(value)) {
      for (const v of value) await walk(v);
    } else if (value && typeof value === 'object') {
      const o = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
      if (o.metadata && o.data instanceof Uint8Array) {
        const [plain] = codec ? await codec.decode([o as never]) : [o];
        parts.push(Buffer.from((plain as { data?: Uint8Array }).data ?? []).toString('utf8'));
        return;
      }
      for (const v of Object.values(value)) await walk(v);
    }
  };
  await walk(history);
  return parts.join('\n');
}
