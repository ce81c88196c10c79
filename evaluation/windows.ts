// Aligned windows: which completed bucket a tick judges. Pure.

/** The last bucket of size bucketMs (aligned to the epoch, so 1h buckets start on the hour) that ended at least settleMs before at. */
export function bucketWindow(at: number, bucketMs: number, settleMs: number): { from: Date; to: Date } {
  const end = Math.floor((at - settleMs) / bucketMs) * bucketMs;
  return { from: new Date(end - bucketMs), to: new Date(end) };
}
