// Ingesting an archive that may be password protected: try without a
// password, then the source's known passwords (resolved inside the worker),
// and only then ask an operator — who types the password into an Update that
// tries it on the spot. The password travels only encrypted (payload codec)
// and is never returned, logged or stored.
import { ApplicationFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { NotificationPolicy } from '../config/model.js';
import type { Activities } from '../activities/index.js';
import { interventionWorkflow, type Answer, type InterventionResult } from './intervention.js';

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

export async function archiveIngestWorkflow(input: ArchiveIngestInput): Promise<ArchiveIngestResult> {
  const first = await extractArchive({ archive: input.archive, destination: input.destination, knownPasswords: input.knownPasswords, limits: input.limits });
  if (first.status === 'extracted') {
    return { status: 'extracted', files: first.files, bytes: first.bytes, destination: first.destination, openedBy: 'pipewatch' };
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
        verify: { kind: 'archivePassword', archive: input.archive, destination: input.destination, limits: input.limits },
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
      return { status: 'extracted', files: outcome.files, bytes: outcome.bytes, destination: outcome.destination, openedBy: answer.by };
    }
    case 'skip':
      return { status: 'skipped', destination: input.destination, openedBy: answer.by };
    default:
      throw ApplicationFailure.create({ message: `ingest of ${input.archive} aborted by ${answer.by}${answer.note ? `: ${answer.note}` : ''}`, type: 'Aborted', nonRetryable: true });
  }
}
