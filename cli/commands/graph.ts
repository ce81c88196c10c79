// `pipewatch graph [pipeline]`: the dependency graph pipewatch derives from the config for a
// pipeline — stages in order, what each runs on, the monitors on each stage and how they were
// placed, declared dependsOn edges, and monitors it could not place — which is what correlation
// (docs/CORRELATION.md) reads to name a probable cause.
import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { graphInputs } from '../../config/graph.js';
import { formatDuration } from '../../config/duration.js';
import { graphText, pipelineGraph } from '../../evaluation/graph.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../output.js';

export function registerGraphCommand(program: Command, ctx: CliContext): void {
  program
    .command('graph')
    .argument('[pipeline]', 'the pipeline to show (default: every declared pipeline)')
    .description(
      "print a pipeline's dependency graph as correlation sees it: stages in order, their infrastructure and monitors",
    )
    .option('--json', 'the graph as JSON')
    .action((pipelineId: string | undefined, opts: { json?: boolean }) => {
      // The graph needs no secrets: environment variables are not required here.
      const config = loadConfigFile(ctx.configFile(), { env: false });
      const { pipelines, monitors } = graphInputs(config.raw);
      const chosen = pipelineId ? pipelines.filter((p) => p.id === pipelineId) : pipelines;
      if (pipelineId && chosen.length === 0) {
        throw new CliError(
          `no pipeline "${pipelineId}" in ${config.file}; declared: ${pipelines.map((p) => p.id).join(', ') || 'none'}`,
          EXIT.usage,
        );
      }
      const graphs = chosen.map((p) => pipelineGraph(p, monitors));
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            graphs.map((g) => ({ ...g, correlation: config.raw.pipelines[g.pipeline]?.correlation ?? null })),
            null,
            2,
          )}\n`,
        );
        return;
      }
      const out = graphs.map((g) => {
        const window = config.raw.pipelines[g.pipeline]?.correlation?.window;
        const note =
          window !== undefined
            ? `correlation: alerts opening within ${formatDuration(window)} of each other are told as one incident per cause`
            : 'correlation: off (pipelines.<id>.correlation.window turns it on)';
        return `${graphText(g)}\n\n${note}`;
      });
      process.stdout.write(`${out.join('\n\n')}\n`);
    });
}
