import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  if (process.env.PIPEWATCH_CAPTURE_HISTORIES && globalThis.__pipewatchDevServer) {
    // `npm run histories:capture`: keep what this run executed as replay fixtures.
    const { captureHistories } = await import('../../scripts/capture-histories.mjs');
    await captureHistories({ address: process.env.PIPEWATCH_TEST_TEMPORAL_ADDRESS });
  }
  await globalThis.__pipewatchDevServer?.stop();
  if (process.env.PIPEWATCH_TEST_ROOT && !process.env.PIPEWATCH_KEEP_TEST_DATA) {
    rmSync(process.env.PIPEWATCH_TEST_ROOT, { recursive: true, force: true });
  }
}
