// The dead-man's switch: on its own schedule, checks that every monitor has
// run recently and then pings an outside URL. When monitors stop (worker down,
// schedule paused by mistake) the pings stop, or go to failUrl, and the
// receiver — outside pipewatch — raises the alarm.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export const HEARTBEAT_PREFIX = 'pipewatch-heartbeat/';

export interface HeartbeatInput {
  project: string;
  url: string;
  failUrl?: string;
  monitors: Array<{ id: string; everyMs?: number }>;
  staleAfter: number;
}

const { beat } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

export async function heartbeatWorkflow(input: HeartbeatInput): Promise<{ status: 'ok' | 'stale'; stale: string[] }> {
  return beat(input);
}
