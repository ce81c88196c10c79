// Every call to one of pipewatch's own workflows, signals, updates or queries passes the workflow function or
// the defineSignal/defineUpdate/defineQuery object exported by workflows/*.ts, never its name as a string
// (issue 22): renaming a message or changing its argument then fails to compile instead of failing at run time.
// The names come from the workflow modules themselves; the scanner reads every product and test source.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = process.cwd();
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', 'fixtures', 'results', '.pipewatch']);
const THIS_FILE = 'test/unit/typed-temporal-calls.test.ts';

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** pipewatch's workflow types and message names, read from workflows/*.ts. */
export function pipewatchNames(workflowSources: string[]): { workflows: Set<string>; messages: Set<string> } {
  const workflows = new Set<string>();
  const messages = new Set<string>();
  for (const text of workflowSources) {
    for (const m of text.matchAll(/export\s+async\s+function\s+(\w+Workflow)\s*\(/g)) workflows.add(m[1]!);
    for (const m of text.matchAll(/define(?:Signal|Update|Query)\s*(?:<[^()]*>)?\s*\(\s*['"`]([^'"`]+)['"`]/g))
      messages.add(m[1]!);
  }
  return { workflows, messages };
}

export interface StringCall {
  line: number;
  text: string;
}

/** Calls (and schedule or signal-with-start options) that name one of these workflows or messages as a string. */
export function stringNamedCalls(
  source: string,
  names: { workflows: Set<string>; messages: Set<string> },
): StringCall[] {
  const quoted = (set: Set<string>) =>
    `['"\`](${[...set].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})['"\`]`;
  const generic = '(?:<[^()]*>)?';
  const patterns = [
    // handle.signal('x'), handle.query('x'), handle.executeUpdate('x'), client.workflow.executeUpdateWithStart('x'), …
    new RegExp(
      `\\.(?:signal|query|executeUpdate|startUpdate|executeUpdateWithStart|startUpdateWithStart)\\s*${generic}\\s*\\(\\s*${quoted(names.messages)}`,
      'g',
    ),
    // client.workflow.start('xWorkflow'), execute, signalWithStart; workflow code's startChild/executeChild
    new RegExp(
      `\\b(?:start|execute|signalWithStart|startChild|executeChild)\\s*${generic}\\s*\\(\\s*${quoted(names.workflows)}`,
      'g',
    ),
    new RegExp(`\\bnew\\s+WithStartWorkflowOperation\\s*${generic}\\s*\\(\\s*${quoted(names.workflows)}`, 'g'),
    // schedule actions and the signal of signalWithStart
    new RegExp(`\\bworkflowType\\s*:\\s*${quoted(names.workflows)}`, 'g'),
    new RegExp(`\\b(?:signal|update)\\s*:\\s*${quoted(names.messages)}`, 'g'),
  ];
  const found: StringCall[] = [];
  for (const pattern of patterns) {
    for (const m of source.matchAll(pattern)) {
      const line = source.slice(0, m.index).split('\n').length;
      found.push({ line, text: m[0].replace(/\s+/g, ' ') });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

describe('typed Temporal calls', () => {
  const files = sources(ROOT).map((f) => relative(ROOT, f));
  const workflowFiles = files.filter((f) => /^workflows\/[^/]+\.ts$/.test(f));
  const names = pipewatchNames(workflowFiles.map((f) => readFileSync(join(ROOT, f), 'utf8')));

  it("knows pipewatch's workflows and messages from the workflow modules", () => {
    expect([...names.workflows]).toEqual(
      expect.arrayContaining([
        'monitorWorkflow',
        'monitorGroupWorkflow',
        'incidentWorkflow',
        'interventionWorkflow',
        'silencesWorkflow',
        'archiveIngestWorkflow',
        'reportWorkflow',
        'heartbeatWorkflow',
      ]),
    );
    expect([...names.messages]).toEqual(
      expect.arrayContaining([
        'alert',
        'acknowledge',
        'resolve',
        'state',
        'respond',
        'request',
        'addSilence',
        'expireSilence',
        'silences',
      ]),
    );
  });

  it('flags a string-named call, and passes the same call by reference', () => {
    const calls = [
      "await handle.executeUpdate<IncidentSnapshot, [unknown]>('acknowledge', { args: [{ by: 'alice' }] });",
      'const view = await handle.query<{ title: string }>(\n  "request",\n);',
      "await client.workflow.signalWithStart('incidentWorkflow', { workflowId, taskQueue, args: [input], signal: 'alert', signalArgs: [event] });",
      "action: { type: 'startWorkflow', workflowType: 'monitorWorkflow', workflowId: id, taskQueue, args: [monitor] },",
      'await question.signal(`respond`, answer);',
      "new WithStartWorkflowOperation('silencesWorkflow', { workflowId, taskQueue, args: [] })",
    ].join('\n');
    expect(stringNamedCalls(calls, names).map((c) => c.line)).toEqual([1, 2, 5, 5, 6, 7, 8]);
    const typed = [
      "await handle.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });",
      'const view = await handle.query(interventionQuery);',
      'await client.workflow.signalWithStart(incidentWorkflow, { workflowId, taskQueue, args: [input], signal: alertSignal, signalArgs: [event] });',
      "action: { type: 'startWorkflow', workflowType: monitorWorkflow, workflowId: id, taskQueue, args: [monitor] },",
      // Not pipewatch's: a query no workflow defines (doctor's liveness probe), a database query, another app's workflow.
      "await handle.query('pipewatch.doctor.alive'); await db.query('SELECT 1'); await client.workflow.start('somethingElse', opts);",
    ].join('\n');
    expect(stringNamedCalls(typed, names)).toEqual([]);
  });

  it('finds no string-named call in the product or the tests', () => {
    const offenders = files
      .filter((f) => f !== THIS_FILE)
      .flatMap((f) =>
        stringNamedCalls(readFileSync(join(ROOT, f), 'utf8'), names).map((c) => `${f}:${c.line}: ${c.text}`),
      );
    expect(offenders).toEqual([]);
  });
});
