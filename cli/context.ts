// What every command is given by cli/main.ts: where the configuration file is and how to load it.
// The -c/--config option belongs to the program, so only main.ts can read it.
import type { LoadedConfig } from '../config/load.js';
import type { MonitorDefinition } from '../config/model.js';
import { CliError } from './output.js';

export interface CliContext {
  /** The -c/--config flag as given (undefined when absent). */
  configFlag(): string | undefined;
  /** The configuration file: -c/--config, else $PIPEWATCH_CONFIG, else ./pipewatch.yaml. */
  configFile(): string;
  /** Loads and validates it; envCheck false does not require the referenced environment variables here. */
  loadConfig(options?: { envCheck?: boolean }): LoadedConfig;
}

export function findMonitor(config: LoadedConfig, id: string): MonitorDefinition {
  const monitor = config.monitors.find((m) => m.id === id);
  if (!monitor) {
    throw new CliError(
      `no monitor "${id}" in ${config.file}; declared: ${config.monitors.map((m) => m.id).join(', ') || '(none)'}`,
    );
  }
  return monitor;
}
