// The PromQL expressions of the Grafana dashboard pipewatch ships (docs/grafana/pipewatch-dashboard.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(
    readFileSync(join(process.cwd(), 'docs', 'grafana', 'pipewatch-dashboard.json'), 'utf8'),
  ) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
}
