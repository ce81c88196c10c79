// The last lines of a server's log, for the error that says why it stopped or never came up.
import { readFileSync } from 'node:fs';

export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
