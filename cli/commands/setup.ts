// `pipewatch setup`: pipewatch's search attributes registered in an existing namespace (a self-hosted
// cluster or Temporal Cloud; the dev server registers them itself).
import type { Command } from 'commander';
import { CliError } from '../output.js';
import { withTemporal } from '../temporal.js';

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      "register pipewatch's search attributes in an existing namespace (self-hosted clusters; the dev server does this itself)",
    )
    .action(async () => {
      const { SEARCH_ATTRIBUTES } = await import('../../workflows/search-attributes.js');
      await withTemporal(async ({ client, settings }) => {
        const existing = await client.connection.operatorService.listSearchAttributes({
          namespace: settings.namespace,
        });
        const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
        if (missing.length === 0) {
          process.stdout.write(
            `namespace ${settings.namespace} already has all ${SEARCH_ATTRIBUTES.length} pipewatch search attributes\n`,
          );
          return;
        }
        await client.connection.operatorService.addSearchAttributes({
          namespace: settings.namespace,
          // IndexedValueType: KEYWORD 2, KEYWORD_LIST 7.
          searchAttributes: Object.fromEntries(missing.map((k) => [k.name, k.type === 'KEYWORD_LIST' ? 7 : 2])),
        });
        // A cluster's frontend and history services read the new names from a namespace cache refreshed every few
        // seconds: until then creating a schedule that carries them fails ("no mapping defined for search
        // attribute"). Wait until a query on them is accepted, so `setup && schedules sync` works.
        const probe = missing.map((k) => `${k.name} = '_'`).join(' OR ');
        const deadline = Date.now() + 60_000;
        for (;;) {
          const seen = await client.connection.workflowService
            .countWorkflowExecutions({ namespace: settings.namespace, query: probe })
            .then(
              () => true,
              () => false,
            );
          if (seen) break;
          if (Date.now() > deadline)
            throw new CliError(
              `registered ${missing.map((k) => k.name).join(', ')}, but namespace ${settings.namespace} still does not accept them after 60 s; run pipewatch setup again before schedules sync`,
            );
          await new Promise((r) => setTimeout(r, 500));
        }
        process.stdout.write(
          `registered ${missing.map((k) => k.name).join(', ')} in namespace ${settings.namespace}\n`,
        );
      });
    });
}
