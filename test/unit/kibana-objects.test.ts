import { readFileSync } from 'node:fs';

describe('the Kibana saved objects', () => {
  const objects = readFileSync('docs/kibana/pipewatch-logs.ndjson', 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('are importable objects whose references all resolve', () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    for (const o of objects) {
      expect(o).toEqual(expect.objectContaining({ id: expect.any(String), type: expect.any(String), attributes: expect.any(Object) }));
      for (const r of o.references) expect(ids.has(`${r.type}:${r.id}`)).toBe(true);
    }
    expect(objects.map((o) => o.type).sort()).toEqual(['dashboard', 'index-pattern', 'visualization', 'visualization', 'visualization']);
  });

  it('chart the ECS fields the logging interface writes', () => {
    const text = objects.map((o) => JSON.stringify(o.attributes)).join('\n');
    for (const field of ['labels.pipeline', 'labels.stage', 'event.code', 'log.level', '@timestamp']) expect(text).toContain(field);
    expect(objects.find((o) => o.type === 'index-pattern').attributes.title).toBe('logs-pipelines-*');
  });
});
