// The `pipewatch` command as an operator meets it: help, exit codes, clear
// errors for bad input, and nothing half-done when input is bad.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { scheduleId } from '../../evaluation/ids.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { testClient } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';

describe('pipewatch CLI', () => {
  const env = testEnv();
  let schema: TestSchema;
  let client: Client;
  const project = uniqueName('cli').toLowerCase().replace(/_/g, '-');
  const fresh = uniqueName('fresh').toLowerCase().replace(/_/g, '-');
  const stale = uniqueName('stale').toLowerCase().replace(/_/g, '-');
  const cliEnv = () => ({
    TEMPORAL_ADDRESS: env.temporalAddress,
    LAKE_URL: env.databaseUrl,
    PIPEWATCH_TASK_QUEUE: uniqueName('tq'),
  });

  const write = (name: string, text: string) => {
    const file = join(env.root, `${project}-${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const config = (monitors: string) => `version: 1
project: ${project}
defaults: { schedule: { every: 1h } }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", connectTimeout: 2s }
  down: { type: postgres, url: "postgres://postgres@127.0.0.1:1/test", connectTimeout: 1s }
monitors:
${monitors}`;
  let good: string;

  beforeAll(async () => {
    schema = await createTestSchema('cli');
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".fresh (ts timestamptz DEFAULT now()); INSERT INTO "${schema.name}".fresh DEFAULT VALUES;`,
    );
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".stale (ts timestamptz); INSERT INTO "${schema.name}".stale VALUES (now() - interval '3 hours');`,
    );
    good = write(
      'good',
      config(`  - id: ${fresh}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.fresh, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${stale}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.stale, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
`),
    );
    client = await testClient();
  });

  afterAll(async () => {
    for (const id of [fresh, stale])
      await client.schedule
        .getHandle(scheduleId(id))
        .delete()
        .catch(() => undefined);
    await client.connection.close();
    await schema.drop();
  });

  describe('usage', () => {
    it('answers --help with every command and the exit codes', async () => {
      const r = await runCli(['--help']);
      expect(r.code).toBe(0);
      for (const command of ['validate', 'schedules', 'run', 'worker', 'start']) expect(r.stdout).toContain(command);
      expect(r.stdout).toContain('Exit codes: 0 ok');
      const sub = await runCli(['schedules', 'sync', '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('--dry-run');
    });

    it.each([[['bogus']], [['schedules']], [['validate', '--frobnicate']], [['run']]])(
      'exits 2 on a usage error: %j',
      async (args) => {
        const r = await runCli(args);
        expect(r.code).toBe(2);
        expect(r.stderr.length).toBeGreaterThan(0);
      },
    );
  });

  describe('validate', () => {
    it('accepts a good file', async () => {
      const r = await runCli(['validate', '-c', good], cliEnv());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 monitor(s), 2 connector(s), 0 channel(s): valid');
    });

    it('reads the file from PIPEWATCH_CONFIG', async () => {
      const r = await runCli(['validate'], { ...cliEnv(), PIPEWATCH_CONFIG: good });
      expect(r.code).toBe(0);
    });

    it('exits 1 and names file, line and path for a broken file', async () => {
      const bad = write(
        'bad',
        config(
          `  - id: x\n    connector: lake\n    check: { type: freshnes, dataset: t, timestamp: ts }\n    rules: [{ above: 1 }]\n`,
        ),
      );
      const r = await runCli(['validate', '-c', bad], cliEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `${bad}:10:20: monitors[0].check.type: unknown type "freshnes"; expected one of: count, freshness`,
      );
    });

    it('names a missing file and how to point at one', async () => {
      const r = await runCli(['validate', '-c', '/nonexistent/pipewatch.yaml']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        '/nonexistent/pipewatch.yaml: file not found; pass --config <file> or set PIPEWATCH_CONFIG',
      );
    });

    it('names a missing environment variable', async () => {
      const r = await runCli(['validate', '-c', good], { ...cliEnv(), LAKE_URL: undefined as unknown as string });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/connectors\.lake\.url: environment variable LAKE_URL is not set/);
    });

    it('--connect reports an unreachable database and exits 1', async () => {
      const file = write(
        'down',
        config(
          `  - id: d\n    connector: down\n    check: { type: freshness, dataset: t, timestamp: ts }\n    rules: [{ above: 1 }]\n`,
        ),
      );
      const r = await runCli(['validate', '--connect', '-c', file], cliEnv());
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /connector down: UNREACHABLE: postgres connector "down": cannot connect: .*ECONNREFUSED/,
      );
    });
  });

  describe('run', () => {
    it('prints a healthy verdict and exits 0', async () => {
      const r = await runCli(['run', fresh, '-c', good], cliEnv());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`^${fresh}: OK — age of the newest record in ${schema.name}\\.fresh \\d+s is within all rules`),
      );
    });

    it('exits 1 for a failing check, with JSON on request', async () => {
      const r = await runCli(['run', stale, '--json', '-c', good], cliEnv());
      expect(r.code).toBe(1);
      const verdict = JSON.parse(r.stdout);
      expect(verdict).toMatchObject({ monitor: stale, status: 'critical', unit: 'seconds' });
      expect(verdict.value).toBeGreaterThan(3 * 3600 - 60);
    });

    it('exits 1 naming the declared monitors for an unknown one', async () => {
      const r = await runCli(['run', 'nope', '-c', good], cliEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no monitor "nope"`);
      expect(r.stderr).toContain(fresh);
    });
  });

  describe('schedules', () => {
    it('changes nothing when the file is bad (duplicate ids): no half-synced schedules', async () => {
      const dup = write(
        'dup',
        config(
          `  - id: ${fresh}\n    connector: lake\n    check: { type: freshness, dataset: t, timestamp: ts }\n    rules: [{ above: 1 }]\n  - id: ${fresh}\n    connector: lake\n    check: { type: freshness, dataset: t, timestamp: ts }\n    rules: [{ above: 1 }]\n`,
        ),
      );
      const r = await runCli(['schedules', 'sync', '-c', dup], cliEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`duplicate monitor id "${fresh}"`);
      await expect(client.schedule.getHandle(scheduleId(fresh)).describe()).rejects.toThrow();
    });

    it('says where Temporal was expected when it cannot reach it', async () => {
      const r = await runCli(['schedules', 'sync', '-c', good], { ...cliEnv(), TEMPORAL_ADDRESS: '127.0.0.1:1' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    });

    it('syncs, lists, pauses, unpauses and triggers', async () => {
      const sync = await runCli(['schedules', 'sync', '-c', good], cliEnv());
      expect(sync.code).toBe(0);
      // Two monitors and the built-in self-monitor (pipewatch-schedules).
      expect(sync.stdout).toContain('3 to create, 0 to update, 0 to delete, 0 unchanged');

      const pause = await runCli(['schedules', 'pause', fresh, '--reason', 'db maintenance'], cliEnv());
      expect(pause.code).toBe(0);
      expect((await client.schedule.getHandle(scheduleId(fresh)).describe()).state).toMatchObject({
        paused: true,
        note: 'db maintenance',
      });

      const list = await waitFor(
        async () => {
          const r = await runCli(['schedules', 'list', '--json'], cliEnv());
          const rows = JSON.parse(r.stdout) as Array<{ scheduleId: string; paused: boolean; project: string }>;
          const mine = rows.filter((row) => row.project === project);
          return mine.length === 3 && mine.some((row) => row.paused) ? mine : undefined;
        },
        'the three schedules listed, one paused',
        15_000,
      );
      expect(list.find((row) => row.scheduleId === scheduleId(fresh))?.paused).toBe(true);

      expect((await runCli(['schedules', 'unpause', fresh], cliEnv())).code).toBe(0);
      expect((await client.schedule.getHandle(scheduleId(fresh)).describe()).state.paused).toBe(false);

      const trigger = await runCli(['schedules', 'trigger', stale], cliEnv());
      expect(trigger.code).toBe(0);
      await waitFor(
        async () => (await client.schedule.getHandle(scheduleId(stale)).describe()).info.recentActions.length > 0,
        'the triggered run',
        15_000,
      );

      const again = await runCli(['schedules', 'sync', '-c', good], cliEnv());
      expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 3 unchanged');
    });

    it('explains an unknown incident, by monitor or by id', async () => {
      const byMonitor = await runCli(['incidents', 'ack', 'never-fired', '--by', 'alice'], cliEnv());
      expect(byMonitor.code).toBe(1);
      expect(byMonitor.stderr).toContain('no open incident "never-fired"; list them with: pipewatch incidents list');
      const byId = await runCli(
        ['incidents', 'resolve', 'pipewatch-incident/default/monitor=never-fired', '--by', 'alice'],
        cliEnv(),
      );
      expect(byId.code).toBe(1);
      expect(byId.stderr).toContain('no incident pipewatch-incident/default/monitor=never-fired');
    });

    it('refuses a silence without a usable duration or owner before contacting anything', async () => {
      const bad = await runCli(
        ['silence', 'add', '--match', 'pipeline = intel', '--for', 'soon', '--by', 'a', '--reason', 'r'],
        { TEMPORAL_ADDRESS: '127.0.0.1:1' },
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--for "soon" is not a duration');
      const missing = await runCli(['silence', 'add', '--match', 'pipeline = intel', '--for', '1h', '--reason', 'r']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("required option '--by <name>' not specified");
    });

    it('explains an unknown schedule', async () => {
      const r = await runCli(['schedules', 'pause', 'never-declared'], cliEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no schedule pipewatch-monitor/never-declared; run "pipewatch schedules sync" first');
    });
  });
});
