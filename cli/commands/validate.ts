// `pipewatch validate`: the whole review of a configuration file in one pass — YAML, schema,
// references, environment variables and lints — as text for people or one JSON document for CI.
// `schedules sync` (dry run or not) loads the file through the same validateConfigFile, so what
// passes here is what sync accepts; --connect also reaches every connector.
import type { Command } from 'commander';
import { redactSecrets } from '../../config/env.js';
import { formatProblem, isError, validateConfigFile, type ConfigProblem, type Validation } from '../../config/load.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../output.js';

export interface ValidateOptions {
  connect?: boolean;
  envCheck: boolean;
  json?: boolean;
  strict?: boolean;
}

export const VALIDATE_HELP = `
Checks, all in one pass: YAML (duplicate keys, nesting), the schema (types, durations, cron, time
zones, regular expressions, conditions, matchers, queries), references (connectors, channels,
receivers, pipelines, escalation policies, duplicate ids), environment variables, and lints — rules
that can never fire for their check, a monitor that runs less often than its window covers.
Each problem is printed as file:line:column: path: message; lints say "warning:".

Exit codes: 0 valid (warnings allowed) · 1 an error, an unreachable connector (--connect),
or a warning under --strict · 2 usage error.

--json prints one document on stdout, valid or not:
  { "file", "valid", "problems": [{ "line", "column", "path", "message", "severity": "error"|"warning" }],
    "monitors": [{ "id", "version" }], "connectors": [{ "connector", "ok", "error"? }] }`;

/** Whether a validation fails the command: any error, or any warning under --strict. */
export function fails(v: Validation, strict = false): boolean {
  return v.problems.some((p) => isError(p) || strict);
}

/** The JSON form of one problem (file is the document's). */
export function problemJson(p: ConfigProblem): {
  line: number | null;
  column: number | null;
  path: string;
  message: string;
  severity: 'error' | 'warning';
} {
  return {
    line: p.line ?? null,
    column: p.column ?? null,
    path: p.path,
    message: p.message,
    severity: isError(p) ? 'error' : 'warning',
  };
}

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'check the configuration file in one pass: YAML, schema, references, environment variables, lints; --connect also reaches every connector',
    )
    .option('--connect', 'connect to every connector and run a trivial query')
    .option('--no-env-check', 'do not require the referenced environment variables to be set here')
    .option('--strict', 'fail on warnings (lints) too, for CI')
    .option('--json', 'one JSON document of problems on stdout (also when invalid)')
    .addHelpText('after', VALIDATE_HELP)
    .action(async (opts: ValidateOptions) => {
      const v = validateConfigFile(ctx.configFile(), { env: opts.envCheck === false ? false : process.env });
      const failed = fails(v, opts.strict);
      const reached: Array<{ connector: string; ok: boolean; error?: string }> = [];
      if (opts.connect && v.config && !failed) {
        const { connectorCache } = await import('../../connectors/registry.js');
        const cache = connectorCache();
        const connectors = new Map(
          v.config.monitors
            .flatMap((m) => [...(m.connector ? [m.connector] : []), ...(m.stages ?? []).map((st) => st.connector)])
            .map((c) => [c.id, c]),
        );
        for (const [id, spec] of connectors) {
          const live = cache.get(spec);
          try {
            await live.value.ping();
            reached.push({ connector: id, ok: true });
          } catch (err) {
            reached.push({ connector: id, ok: false, error: redactSecrets((err as Error).message, live.secrets) });
          }
        }
        await cache.closeAll();
      }
      const unreachable = reached.filter((r) => !r.ok);
      const valid = !failed && unreachable.length === 0;
      if (opts.json) {
        const document = {
          file: v.file,
          valid,
          problems: v.problems.map(problemJson),
          monitors: (v.config?.monitors ?? []).map((m) => ({ id: m.id, version: m.version })),
          connectors: reached,
        };
        process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        const errors = v.problems.filter(isError);
        const warnings = v.problems.filter((p) => !isError(p));
        if (errors.length > 0) {
          process.stderr.write(
            `invalid configuration (${errors.length} problem${errors.length === 1 ? '' : 's'}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}):\n`,
          );
        }
        // In file order, errors and warnings together, as the file reads.
        for (const p of v.problems) process.stderr.write(`${formatProblem(p)}\n`);
        if (v.config) {
          const c = v.config;
          const verdict = failed
            ? `${warnings.length} warning${warnings.length === 1 ? '' : 's'}: invalid under --strict`
            : `valid${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`;
          process.stdout.write(
            `${c.file}: ${c.monitors.length} monitor(s), ${Object.keys(c.raw.connectors).length} connector(s), ${Object.keys(c.raw.channels).length} channel(s): ${verdict}\n`,
          );
        }
        for (const r of reached)
          process.stdout.write(`  connector ${r.connector}: ${r.ok ? 'reachable' : `UNREACHABLE: ${r.error}`}\n`);
      }
      if (!valid) process.exitCode = EXIT.failed;
    });
}
