// `pipewatch ui` and the status page `pipewatch start` runs: the server
// (ui/server.ts) fed by gatherStatus (ui/status.ts) over this config's monitors.
import { withSelfMonitors } from '../config/self-monitor.js';
import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../config/load.js';
import type { HistoryStore } from '../store/history.js';
import { startStatusServer, type StatusServer } from './server.js';
import { gatherStatus } from './status.js';

export const STATUS_PAGE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8090,
  refreshSeconds: 10,
  points: 30,
  temporalUi: 'http://127.0.0.1:8233',
};

export interface StatusPageOptions {
  config: LoadedConfig;
  store: HistoryStore;
  client: Client;
  namespace: string;
  taskQueue: string;
  host?: string;
  port?: number;
  token?: string;
  /** Base URL of the Temporal Web UI the page links to. */
  temporalUi?: string;
  refreshSeconds?: number;
  points?: number;
}

export async function startStatusPage(o: StatusPageOptions): Promise<StatusServer> {
  const d = STATUS_PAGE_DEFAULTS;
  const sources = {
    project: o.config.raw.project,
    // With the built-in self-monitor: saturation shows on the page like any failing check.
    monitors: withSelfMonitors(o.config),
    store: o.store,
    client: o.client,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    temporalUi: o.temporalUi ?? d.temporalUi,
    points: o.points ?? d.points,
  };
  return startStatusServer({
    host: o.host ?? d.host,
    port: o.port ?? d.port,
    token: o.token,
    refreshSeconds: o.refreshSeconds ?? d.refreshSeconds,
    load: () => gatherStatus(sources),
  });
}
