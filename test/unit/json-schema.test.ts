import { readFileSync } from 'node:fs';
import { configJsonSchemaText } from '../../config/json-schema.js';

describe('the shipped JSON Schema', () => {
  it('is exactly what the config definition generates (regenerate with `npm run schema`)', () => {
    expect(readFileSync('schema/pipewatch.schema.json', 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes monitors, checks and rules for editors', () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['version', 'connectors', 'channels', 'monitors']),
    );
    const monitor = schema.properties.monitors.items;
    expect(monitor.required).toEqual(expect.arrayContaining(['id', 'check', 'rules']));
    expect(JSON.stringify(monitor.properties.check)).toContain('freshness');
  });
});
