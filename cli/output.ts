// Exit codes and error printing shared by every command.
import { ConfigError, isError } from '../config/load.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An error whose message is already what the operator should read. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    // The message lists warnings too, in file order; the count is of what refused the file.
    const errors = err.problems.filter(isError).length;
    process.stderr.write(`invalid configuration (${errors} problem${errors === 1 ? '' : 's'}):\n${err.message}\n`);
    return EXIT.failed;
  }
  if (err instanceof CliError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.PIPEWATCH_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT.failed;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
