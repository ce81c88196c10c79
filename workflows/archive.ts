// Ingesting an archive that may be password protected: try without a
// password, then the source's known passwords (resolved inside the worker),
// and only then ask an operator — who types the password into an Update that
// tries it on the spot. The password travels only encrypted (payload codec)
// and is never returned, logged or stored.
import { ApplicationFailure, executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { NotificationPolicy } from '../config/model.js';
import type { Activities } from '../activities/index.js';
import { interventionWorkflow, type Answer, type InterventionResult } from './intervention.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';

export interface ArchiveIngestInput {
  archive: string;
  destination: string;
  source?: string;
  /** `${ENV}` references of passwords known for the source; resolved by the activity. */
  knownPasswords: string[];
  limits: { maxEntries: number; maxBytes: number; maxRatio: number };
  pipeline?: string;
  intervention: { receiver: string; remindEveryMs: number; deadlineMs: number; defaultAction: Answer };
  policy: NotificationPolicy;
}

export interface ArchiveIngestResult {
  status: 'extracted' | 'skipped';
  files?: number;
  bytes?: number;
  destination: string;
  /** Who opened it: pipewatch (no or a known password) or the operator who gave the password. */
  openedBy: string;
}

export function interventionIdFor(archiveWorkflowId: string): string {
  return `pipewatch-intervention/${archiveWorkflowId}`;
}

const { extractArchive } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '15s',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['UnsafeArchiveError', 'ConfigurationError'] },
});

/** patched() marker: a refused archive is told to the source's receiver and fails with a readable reason. */
export const ARCHIVE_REFUSAL_TOLD = 'archive-refusal-told';

/** What went wrong, from the activity's failure (its message is scrubbed of secrets by the activity). */
function refusalReason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

export async function archiveIngestWorkflow(input: ArchiveIngestInput): Promise<ArchiveIngestResult> {
  let first: Awaited<ReturnType<typeof extractArchive>>;
  try {
    first = await extractArchive({
      archive: input.archive,
      destination: input.destination,
      knownPasswords: input.knownPasswords,
      limits: input.limits,
    });
  } catch (err) {
    if (!patched(ARCHIVE_REFUSAL_TOLD)) throw err;
    // Unsafe (zip-slip, bomb) or unreadable after its retries: nothing was extracted. The person who
    // waits for the files hears why, instead of the reason staying in a worker's log.
    const reason = refusalReason(err);
    await tellRefusal(input, reason);
    throw ApplicationFailure.create({
      message: `${input.archive} was refused and nothing was extracted: ${reason}`,
      type: 'ArchiveRefused',
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
  if (first.status === 'extracted') {
    return {
      status: 'extracted',
      files: first.files,
      bytes: first.bytes,
      destination: first.destination,
      openedBy: 'pipewatch',
    };
  }

  const answer: InterventionResult = await executeChild(interventionWorkflow, {
    workflowId: interventionIdFor(workflowInfo().workflowId),
    args: [
      {
        kind: 'archive-password',
        title: `password for ${input.archive}`,
        question: `The archive ${input.archive}${input.source ? ` from ${input.source}` : ''} is password protected${input.knownPasswords.length ? ' and none of the known passwords opens it' : ''}. Provide the password, skip the archive, or abort the ingest.`,
        context: { pipeline: input.pipeline, stage: 'archive', item: input.archive },
        answers: ['provide', 'skip', 'abort'],
        secretInput: true,
        verify: {
          kind: 'archivePassword',
          archive: input.archive,
          destination: input.destination,
          limits: input.limits,
        },
        receiver: input.intervention.receiver,
        policy: input.policy,
        remindEveryMs: input.intervention.remindEveryMs,
        deadlineMs: input.intervention.deadlineMs,
        defaultAction: input.intervention.defaultAction,
      },
    ],
  });

  switch (answer.answer) {
    case 'provide': {
      const outcome = answer.outcome as { files: number; bytes: number; destination: string };
      return {
        status: 'extracted',
        files: outcome.files,
        bytes: outcome.bytes,
        destination: outcome.destination,
        openedBy: answer.by,
      };
    }
    case 'skip':
      return { status: 'skipped', destination: input.destination, openedBy: answer.by };
    default:
      throw ApplicationFailure.create({
        message: `ingest of ${input.archive} aborted by ${answer.by}${answer.note ? `: ${answer.note}` : ''}`,
        type: 'Aborted',
        nonRetryable: true,
      });
  }
}

async function tellRefusal(input: ArchiveIngestInput, reason: string): Promise<void> {
  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: input.policy.delivery.timeoutMs,
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    retry: {
      initialInterval: input.policy.delivery.initialIntervalMs,
      maximumInterval: input.policy.delivery.maximumIntervalMs,
    },
  });
  const info = workflowInfo();
  const receiver = input.policy.receivers[input.intervention.receiver] ?? { notify: [] as string[] };
  const text = [
    `The archive ${input.archive}${input.source ? ` from ${input.source}` : ''} was refused; nothing was extracted to ${input.destination}.`,
    `Reason: ${reason}`,
    ...(input.pipeline ? [`Pipeline: ${input.pipeline}`] : []),
    'pipewatch will not try this file again. If it should be accepted, get a sound copy from its source and ingest that:',
    `  pipewatch archive ingest '<file>' --dest '${input.destination}'${input.source ? ` --source '${input.source}'` : ''}`,
  ].join('\n');
  await Promise.all(
    [...new Set(receiver.notify)]
      .filter((c) => input.policy.channels[c])
      .map((c) =>
        deliverNotification({
          channel: input.policy.channels[c]!,
          notification: { kind: 'notice', title: `archive refused: ${input.archive}`, text },
          idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}/refused/${c}`,
          monitorIds: [],
        }),
      ),
  );
}
