// What global-setup started, for tests to use.
import { randomBytes } from 'node:crypto';

export function testEnv() {
  const get = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run tests through jest (global-setup starts the services)`);
    return value;
  };
  return {
    temporalAddress: get('PIPEWATCH_TEST_TEMPORAL_ADDRESS'),
    /** The shared dev server's Web UI. */
    temporalUi: get('PIPEWATCH_TEST_TEMPORAL_UI'),
    bundlePath: get('PIPEWATCH_TEST_BUNDLE'),
    databaseUrl: get('PIPEWATCH_TEST_DATABASE_URL'),
    root: get('PIPEWATCH_TEST_ROOT'),
    cli: get('PIPEWATCH_TEST_CLI'),
  };
}

/** A name no other test (or earlier run) uses: task queues, schemas, monitor ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
