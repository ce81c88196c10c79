// What a log rule's trigger does with each new event (connectors/logs.ts): an
// archive ingest workflow started under an id derived from the event, or a
// signal to a workflow the event names. A repeat of the event finds the
// workflow already started.
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { resolveEnvRefs } from '../config/env.js';
import type { ArchiveTriggerSettings, NotificationPolicy } from '../config/model.js';
import type { LogEvent, LogsCheck } from '../connectors/logs.js';
import { fieldValue } from '../evaluation/lucene.js';
import { archiveIngestWorkflow, type ArchiveIngestInput } from '../workflows/archive.js';
import type { ActivityDeps } from './deps.js';
import { resolveOrFail } from './guards.js';

/** Starts or signals a workflow per new log event, idempotently (ids derived from the event). */
export async function triggerForEvents(
  deps: ActivityDeps,
  input: {
    monitorId: string;
    check: LogsCheck;
    archiveTrigger?: ArchiveTriggerSettings;
    policy: NotificationPolicy;
    pipeline?: string;
  },
  events: LogEvent[],
): Promise<void> {
  const t = input.check.trigger!;
  for (const e of events) {
    const eventKey = createHash('sha256').update(`${input.monitorId}/${e.id}/${e.ts}`).digest('hex').slice(0, 16);
    if (t.archive && input.archiveTrigger) {
      const path = fieldValue(e.doc, t.archive.pathField);
      if (typeof path !== 'string' || !path) continue;
      const sourceName = t.archive.sourceField ? String(fieldValue(e.doc, t.archive.sourceField) ?? '') : '';
      const settings = input.archiveTrigger;
      const args: ArchiveIngestInput = {
        archive: path,
        // The destination may name a directory by ${ENV} (the example's data directory).
        destination: join(
          resolveOrFail(() =>
            resolveEnvRefs(
              t.archive!.destination,
              deps.env ?? process.env,
              `monitors.${input.monitorId}.check.trigger.archive.destination`,
            ),
          ),
          basename(path).replace(/\.zip$/i, ''),
        ),
        source: sourceName || undefined,
        knownPasswords: settings.knownPasswords[sourceName] ?? [],
        limits: settings.limits,
        pipeline: input.pipeline ?? (fieldValue(e.doc, 'labels.pipeline') as string | undefined),
        intervention: settings.intervention,
        policy: input.policy,
      };
      try {
        await deps.client.workflow.start(archiveIngestWorkflow, {
          workflowId: `pipewatch-archive/event-${eventKey}`,
          taskQueue: deps.taskQueue,
          args: [args],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    // The operator's own workflow and signal, named in configuration: by name is the only way to reach them.
    if (t.signal) {
      const workflowId = fieldValue(e.doc, t.signal.workflowIdField);
      if (typeof workflowId !== 'string' || !workflowId) continue;
      await deps.client.workflow
        .getHandle(workflowId)
        .signal(t.signal.name, { eventId: eventKey, ts: e.ts, event: e.doc });
    }
  }
}
