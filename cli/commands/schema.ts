// `pipewatch schema`: the JSON Schema of the configuration file, for editor completion.
import type { Command } from 'commander';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the configuration file (for editor completion)')
    .action(async () => {
      const { configJsonSchemaText } = await import('../../config/json-schema.js');
      process.stdout.write(configJsonSchemaText());
    });
}
