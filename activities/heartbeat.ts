// The heartbeat ping: an outside service hears from pipewatch while every
// monitor ran recently, and is told which ones did not.
import { postJson } from '../channels/shared/post.js';
import { resolveEnvRefs } from '../config/env.js';
import type { HeartbeatInput } from '../workflows/heartbeat.js';
import type { ActivityDeps } from './deps.js';
import { resolveOrFail, scrubbed } from './guards.js';

export function heartbeatActivities(deps: ActivityDeps) {
  return {
    /** Pings the heartbeat URL if every monitor ran recently; the fail URL (if any) names the ones that did not. */
    async beat(input: HeartbeatInput): Promise<{ status: 'ok' | 'stale'; stale: string[] }> {
      const secrets = new Set<string>();
      const urls = resolveOrFail(() =>
        resolveEnvRefs({ url: input.url, failUrl: input.failUrl }, deps.env ?? process.env, 'heartbeat', secrets),
      );
      const last = await deps.store.lastRuns(input.monitors.map((m) => m.id));
      const now = Date.now();
      const stale = input.monitors
        .filter(
          (m) =>
            m.everyMs !== undefined && last.has(m.id) && now - last.get(m.id)!.getTime() > input.staleAfter * m.everyMs,
        )
        .map((m) => `${m.id} (last run ${last.get(m.id)!.toISOString()})`);
      const status = stale.length ? 'stale' : 'ok';
      const target = status === 'ok' ? urls.url : urls.failUrl;
      if (target) {
        try {
          await postJson(
            target,
            JSON.stringify({ status, project: input.project, monitors: input.monitors.length, stale }),
            {},
            10_000,
          );
        } catch (err) {
          throw scrubbed(err, secrets, 'HeartbeatError');
        }
      }
      return { status, stale };
    },
  };
}
