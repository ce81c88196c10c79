// Looking for secrets in what pipewatch wrote: the forms a leaked value takes,
// and the Temporal side of a deployment gathered as text — every workflow of a
// task queue (history raw and decoded, search attributes, memo) and the named
// schedules.
import { Client } from '@temporalio/client';
import type pg from 'pg';
import { decodedHistoryText } from './temporal.js';

/** The forms a leaked secret takes: as is, URL-encoded, and encoded on its own as base64 or hex. */
export function forms(value: string): string[] {
  return [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')];
}

/** A history as Temporal stores it: every byte field shown as text (payloads are bytes). */
export function rawText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
    if (
      v &&
      typeof v === 'object' &&
      (v as { type?: string }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return Buffer.from((v as { data: number[] }).data).toString('latin1');
    }
    return v;
  });
}

export interface TemporalCorpora {
  workflows: number;
  'raw histories': string;
  'decoded histories': string;
  'search attributes and memos': string;
  schedules: string;
}

/** What Temporal holds for a task queue's workflows and the given schedules; `client` decodes, a raw one is made beside it. */
export async function temporalCorpora(
  client: Client,
  taskQueue: string,
  scheduleIds: string[],
): Promise<TemporalCorpora> {
  const rawClient = new Client({ connection: client.connection, namespace: client.options.namespace });
  const raw: string[] = [];
  const decoded: string[] = [];
  const attributes: string[] = [];
  let workflows = 0;
  for await (const w of rawClient.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    workflows++;
    const history = await rawClient.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    raw.push(rawText(history));
    decoded.push(await decodedHistoryText(history));
    const described = await client.workflow.getHandle(w.workflowId, w.runId).describe();
    const rawDescribed = await rawClient.workflow.getHandle(w.workflowId, w.runId).describe();
    attributes.push(
      JSON.stringify([
        described.searchAttributes,
        described.typedSearchAttributes,
        await described.memo,
        described.raw.executionConfig,
      ]),
      rawText(rawDescribed.raw),
    );
  }
  const schedules: string[] = [];
  for (const id of scheduleIds) {
    const d = await client.schedule.getHandle(id).describe();
    schedules.push(JSON.stringify([d.action, d.memo, d.searchAttributes]), rawText(d.raw));
  }
  return {
    workflows,
    'raw histories': raw.join('\n'),
    'decoded histories': decoded.join('\n'),
    'search attributes and memos': attributes.join('\n'),
    schedules: schedules.join('\n'),
  };
}

/** Every row of every table in the given schemas, as JSON lines. */
export async function tableRows(db: pg.Pool | pg.Client, schemas: string[]): Promise<string> {
  const tables = await db.query<{ table_schema: string; table_name: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
    [schemas],
  );
  const rows: string[] = [];
  for (const { table_schema, table_name } of tables.rows) {
    const r = await db.query<{ j: string }>(
      `SELECT row_to_json(t)::text AS j FROM "${table_schema}"."${table_name}" t`,
    );
    rows.push(...r.rows.map((x) => x.j));
  }
  return rows.join('\n');
}

/** This test run's payload keys (PIPEWATCH_CODEC_KEYS, set by global-setup) as secrets to scan for. */
export function payloadKeys(): Record<string, string> {
  const keys = (process.env.PIPEWATCH_CODEC_KEYS ?? '')
    .split(/[\s,]+/)
    .map((k) => k.split(':').pop()!)
    .filter((k) => k.length >= 16);
  if (keys.length === 0)
    throw new Error('no payload key in PIPEWATCH_CODEC_KEYS: run through jest (global-setup sets one)');
  return Object.fromEntries(keys.map((k, i) => [`PAYLOAD_KEY_${i}`, k]));
}

/** Where each secret was found, in any of its forms: "<name> in <corpus> (as is|encoded)". */
export function findSecrets(
  secrets: Record<string, string>,
  corpora: Record<string, string>,
  allowed: (name: string, corpus: string) => boolean = () => false,
): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const [corpus, text] of Object.entries(corpora)) {
      if (allowed(name, corpus)) continue;
      for (const form of forms(value))
        if (text.includes(form)) found.push(`${name} in ${corpus} (${form === value ? 'as is' : 'encoded'})`);
    }
  }
  return found;
}
