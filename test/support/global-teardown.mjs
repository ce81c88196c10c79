import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  await globalThis.__pipewatchDevServer?.stop();
  if (process.env.PIPEWATCH_TEST_ROOT && !process.env.PIPEWATCH_KEEP_TEST_DATA) {
    rmSync(process.env.PIPEWATCH_TEST_ROOT, { recursive: true, force: true });
  }
}
