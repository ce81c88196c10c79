// The JSON Schema of pipewatch.yaml, generated from the same zod definition
// the loader validates with; schema/pipewatch.schema.json is this, committed
// for editors (yaml-language-server and friends).
import { z } from 'zod';
import { pipewatchConfig } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipewatchConfig, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://pipewatch.dev/schema/pipewatch.schema.json',
    title: 'pipewatch configuration',
    description: 'Connectors, notification channels and monitors, declared as code. See docs/CONFIGURATION.md.',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
