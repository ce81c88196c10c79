// Bundles workflow code once (at build time into dist/workflow-bundle.js, or
// once per test run), so workers start without running webpack themselves.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { failureConverterPath } from './codec.js';
import { workflowTracingModule } from './tracing.js';

const here = dirname(fileURLToPath(import.meta.url));

/** workflows/index from TypeScript sources when present (tests), else compiled JavaScript. */
export function workflowsPath(): string {
  const ts = join(here, '..', 'workflows', 'index.ts');
  return existsSync(ts) ? ts : join(here, '..', 'workflows', 'index.js');
}

/** The prebuilt bundle next to the compiled code, if the build made one. */
export function prebuiltBundlePath(): string | undefined {
  const path = join(here, '..', 'workflow-bundle.js');
  return existsSync(path) && !workflowsPath().endsWith('.ts') ? path : undefined;
}

/** With `tracing`, Temporal's OpenTelemetry workflow interceptors are part of the bundle (workers/tracing.ts). */
export async function bundleWorkflows(options: { tracing?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    failureConverterPath: failureConverterPath(),
    ...(options.tracing ? { workflowInterceptorModules: [workflowTracingModule()] } : {}),
    // Sources import './x.js' (NodeNext); let webpack find the .ts behind it.
    webpackConfigHook: (config) => {
      config.resolve = { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } };
      return config;
    },
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
}

export async function writeWorkflowBundle(out: string): Promise<void> {
  const { code } = await bundleWorkflows();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(here, '..', 'workflow-bundle.js'));
  await writeWorkflowBundle(out);
  console.log(`workflow bundle written to ${out}`);
}
