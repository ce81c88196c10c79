// Archives pipewatch refused to open (zip-slip, zip bombs, unreadable files): they asked nobody a question, but
// someone waits for their files. Read from Temporal's visibility — failed archive flows — with the reason the
// flow failed with (ArchiveRefused messages hold no secret and travel unencrypted). Shared by the status page
// and `pipewatch intervene list`.
import type { Client } from '@temporalio/client';

export interface RefusedArchive {
  workflowId: string;
  at: string;
  reason: string;
}

/** What went wrong, not "Workflow execution failed": the first failure in the chain that the application raised. */
export function failureReason(err: Error): string {
  let e: Error = err;
  while (e.name !== 'ApplicationFailure' && e.cause instanceof Error) e = e.cause;
  return e.message;
}

export async function refusedArchives(
  client: Client,
  options: { sinceMs?: number; taskQueue?: string; limit?: number } = {},
): Promise<RefusedArchive[]> {
  const since = new Date(Date.now() - (options.sinceMs ?? 7 * 86_400_000)).toISOString();
  const limit = options.limit ?? 50;
  const scope = options.taskQueue ? ` AND TaskQueue = ${JSON.stringify(options.taskQueue)}` : '';
  const found: RefusedArchive[] = [];
  for await (const w of client.workflow.list({
    query: `WorkflowType = "archiveIngestWorkflow" AND ExecutionStatus = "Failed" AND CloseTime > "${since}"${scope}`,
  })) {
    if (found.length >= limit) break;
    const reason = await client.workflow
      .getHandle(w.workflowId, w.runId)
      .result()
      .then(
        () => '',
        (err: unknown) => (err instanceof Error ? failureReason(err) : String(err)),
      );
    found.push({ workflowId: w.workflowId, at: (w.closeTime ?? w.startTime).toISOString(), reason });
  }
  return found.sort((a, b) => b.at.localeCompare(a.at));
}
