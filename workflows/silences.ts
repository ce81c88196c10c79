// The silences of a namespace, held by one long-running workflow
// (pipewatch-silences/<task queue>): operators add and expire them with Updates (validated,
// so a bad matcher is refused at once), incidents read them through a query.
// It announces silences nobody should forget: very long ones when created,
// every one shortly before it ends.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryPolicy, NamedChannel } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { formatMatcher } from '../evaluation/matchers.js';
import { silenceActive, type Silence } from '../evaluation/muting.js';
import { silenceMatchers, silenceRequestProblem } from '../evaluation/silence-rules.js';
import type { Activities } from '../activities/index.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';

/** One silences workflow per task queue (a pipewatch deployment). */
export function silencesWorkflowId(taskQueue: string): string {
  return `pipewatch-silences/${taskQueue}`;
}

export interface SilenceAnnouncements {
  channels: NamedChannel[];
  announceBeforeMs: number;
  longerThanMs: number;
  delivery: DeliveryPolicy;
}

export interface AddSilenceRequest {
  matchers: string[];
  durationMs: number;
  /** ISO time; default now. */
  startsAt?: string;
  createdBy: string;
  reason: string;
  /** The announcing settings of the config the operator used. */
  announcements: SilenceAnnouncements;
}

export interface ExpireSilenceRequest {
  id: string;
  by: string;
}

export const addSilenceUpdate = defineUpdate<Silence, [AddSilenceRequest]>('addSilence');
export const expireSilenceUpdate = defineUpdate<Silence, [ExpireSilenceRequest]>('expireSilence');
export const silencesQuery = defineQuery<Silence[]>('silences');

interface SilencesMemory {
  silences: Silence[];
  announced: string[];
  announcements?: SilenceAnnouncements;
}

const KEEP_ENDED_MS = 7 * 24 * 3_600_000;

export async function silencesWorkflow(carried?: SilencesMemory): Promise<void> {
  const self = workflowInfo().workflowId;
  const m: SilencesMemory = carried ?? { silences: [], announced: [] };
  let changed = false;

  setHandler(silencesQuery, () => m.silences);
  setHandler(
    addSilenceUpdate,
    (request) => {
      const now = Date.now();
      const startsAt = request.startsAt ? Date.parse(request.startsAt) : now;
      const matchers = silenceMatchers(request.matchers);
      const silence: Silence = {
        id: uuid4().slice(0, 8),
        matchers: typeof matchers === 'string' ? [] : matchers,
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + request.durationMs).toISOString(),
        createdBy: request.createdBy,
        reason: request.reason,
        // The validator refuses such matchers; only a history replayed from before today's matcher rules
        // gets here with them, and that silence holds nothing back rather than everything.
        ...(typeof matchers === 'string'
          ? { expiredAt: new Date(startsAt).toISOString(), expiredBy: `pipewatch: ${matchers}` }
          : {}),
      };
      m.silences.push(silence);
      m.announcements = request.announcements;
      changed = true;
      return silence;
    },
    {
      validator: (request) => {
        // The same checks as the CLI's (Alertmanager's validateSilence): a client that skips them is refused here.
        const problem = silenceRequestProblem(request);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    expireSilenceUpdate,
    (request) => {
      const silence = m.silences.find((s) => s.id === request.id)!;
      silence.expiredAt = new Date(Date.now()).toISOString();
      silence.expiredBy = request.by;
      changed = true;
      return silence;
    },
    {
      validator: (request) => {
        if (!request.by?.trim()) throw new Error('say who expires the silence: by');
        const silence = m.silences.find((s) => s.id === request.id);
        if (!silence) throw new Error(`no silence ${request.id}; list them with: pipewatch silence list`);
        if (silence.expiredAt || Date.parse(silence.endsAt) <= Date.now())
          throw new Error(`silence ${request.id} has already ended`);
      },
    },
  );

  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: '60s',
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    retry: { initialInterval: '5s', maximumInterval: '5m' },
  });
  const announce = async (key: string, title: string, text: string) => {
    const a = m.announcements;
    if (!a || m.announced.includes(key)) return;
    m.announced.push(key);
    await Promise.all(
      a.channels.map((channel) =>
        deliverNotification({
          channel,
          notification: { kind: 'notice', title, text },
          idempotencyKey: `${self}/${key}/${channel.id}`,
          monitorIds: [],
        }),
      ),
    );
  };
  const describe = (s: Silence) =>
    `Silence ${s.id} by ${s.createdBy}: ${s.reason}\nMatches: ${s.matchers.map(formatMatcher).join(', ')}\nFrom ${s.startsAt} until ${s.endsAt}.\nEnd it early with: pipewatch silence expire ${s.id} --by <you>`;

  for (;;) {
    const now = Date.now();
    m.silences = m.silences.filter((s) => Date.parse(s.endsAt) + KEEP_ENDED_MS > now);
    const a = m.announcements;
    for (const s of m.silences) {
      if (!a || s.expiredAt) continue;
      const length = Date.parse(s.endsAt) - Date.parse(s.startsAt);
      if (length > a.longerThanMs)
        await announce(`${s.id}/long`, `long silence ${s.id}: ${formatDuration(length)}`, describe(s));
      if (silenceActive(s, now) && Date.parse(s.endsAt) - a.announceBeforeMs <= now) {
        await announce(
          `${s.id}/ending`,
          `silence ${s.id} ends at ${s.endsAt}`,
          `${describe(s)}\nAlerts it holds back will be sent when it ends.`,
        );
      }
    }
    const wakes = m.silences
      .filter((s) => !s.expiredAt && a)
      .flatMap((s) => [Date.parse(s.endsAt) - a!.announceBeforeMs, Date.parse(s.endsAt) + KEEP_ENDED_MS])
      .filter((t) => t > now);
    changed = false;
    await condition(
      () => changed || workflowInfo().continueAsNewSuggested,
      wakes.length ? Math.max(1, Math.min(...wakes) - now) : undefined,
    );
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof silencesWorkflow>({ ...m, announced: m.announced.slice(-500) });
    }
  }
}
