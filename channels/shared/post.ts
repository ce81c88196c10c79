// The one HTTP POST of JSON every HTTP channel sends with (webhook, Slack, Alertmanager) and the
// heartbeat activity: a timeout, and an error that names the origin (never the path or query,
// which may hold a token) and the status.
/** POSTs JSON; a non-2xx answer or a timeout is an error (and the activity retries). */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'pipewatch', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    // Not chained: the cause may name the whole URL, whose path can be the credential (a Slack webhook).
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`POST ${new URL(url).origin}: ${why}`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok)
    throw new Error(
      `POST ${new URL(url).origin} answered ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`,
    );
}
