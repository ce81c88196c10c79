import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  if (process.env.PIPEWATCH_CAPTURE_HISTORIES && globalThis.__pipewatchDevServer) {
    // `npm run histories:capture`: keep what this run executed as replay fixtures.
    const { captureHistories } = await import('../../scripts/capture-histories.mjs');
    // PIPEWATCH_CAPTURE_TYPES=a,b: replace only those types' fixtures (a run of some test files only).
    const types = process.env.PIPEWATCH_CAPTURE_TYPES?.split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    await captureHistories({
      address: process.env.PIPEWATCH_TEST_TEMPORAL_ADDRESS,
      ...(types?.length ? { types } : {}),
    });
  }
  await globalThis.__pipewatchDevServer?.stop();
  if (process.env.PIPEWATCH_TEST_ROOT && !process.env.PIPEWATCH_KEEP_TEST_DATA) {
    rmSync(process.env.PIPEWATCH_TEST_ROOT, { recursive: true, force: true });
  }
}
