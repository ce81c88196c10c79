// The rooms of docs/ARCHITECTURE.md are held by eslint.config.js; this proves the rule can fail: sources that cross a
// room are refused with the room's reason, and what each room is allowed passes. The linted text is never written to
// disk: ESLint lints it as if it lived at the given path.
import { ESLint } from 'eslint';

// Without type information (the probes are not files of the project): the type-aware rule is off here.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

/** Rule ids and messages of the room rule, for one source at a path. */
async function roomFindings(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('the rooms, enforced by eslint', () => {
  it.each([
    ['workflows/probe.ts', "import { readFileSync } from 'node:fs';", /no Node built-ins here — workflows\//],
    [
      'workflows/probe.ts',
      "import { Client } from '@temporalio/client';",
      /workflow code uses @temporalio\/workflow only/,
    ],
    ['workflows/probe.ts', "import YAML from 'yaml';", /no third-party modules in workflow code/],
    ['workflows/probe.ts', "import { createActivities } from '../activities/index.js';", /may not import activities\//],
    ['workflows/probe.ts', "import { parseConfig } from '../config/load.js';", /may not import config\//],
    [
      'evaluation/probe.ts',
      "import { monitorWorkflow } from '../workflows/monitor.js';",
      /may not import workflows\/ — evaluation\//,
    ],
    ['evaluation/probe.ts', "import pg from 'pg';", /the pure core uses no third-party modules/],
    [
      'connectors/probe/index.ts',
      "import { send } from '../../channels/registry.js';",
      /may not import channels\/ — connectors\//,
    ],
    ['store/probe.ts', "import { x } from '../activities/index.js';", /may not import activities\/ — store\//],
    ['ui/probe.ts', "import { x } from '../channels/email/index.js';", /may not import channels\//],
  ])('%s: %s is refused', async (path, source, reason) => {
    const found = await roomFindings(path, `${source}\nexport const used = 1;\n`);
    expect(found.some((m) => reason.test(m))).toBe(true);
  });

  it.each([
    ['workflows/probe.ts', "import { proxyActivities } from '@temporalio/workflow';"],
    ['workflows/probe.ts', "import { formatDuration } from '../config/duration.js';"],
    ['workflows/probe.ts', "import { connectorDescriptor } from '../connectors/descriptors.js';"],
    ['workflows/probe.ts', "import type { HistoryStore } from '../store/history.js';"],
    ['evaluation/probe.ts', "import { RE2JS } from 're2js';"],
    ['activities/probe.ts', "import { incidentWorkflow } from '../workflows/incident.js';"],
    ['ui/probe.ts', "import { renderMessage } from '../channels/render.js';"],
  ])('%s: %s is allowed', async (path, source) => {
    expect(await roomFindings(path, `${source}\nexport const used = 1;\n`)).toEqual([]);
  });
});
