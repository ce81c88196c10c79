// The worker's own machine: disk space and inodes of a path's filesystem
// (statfs), memory in use, load per CPU.
import { statfs, readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';

/** Bytes of memory available to new work: MemAvailable on Linux, free memory elsewhere. */
async function availableMemory(): Promise<number> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(text)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

class HostConnector implements Connector {
  constructor(private readonly id: string) {}

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    const observedAt = at.toISOString();
    switch (check.type) {
      case 'disk': {
        let s: Awaited<ReturnType<typeof statfs>>;
        try {
          s = await statfs(check.path);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          throw new CollectError(
            `host connector "${this.id}": cannot read the filesystem of ${check.path}: ${e.code === 'ENOENT' ? 'no such path' : e.message}`,
          );
        }
        if (check.measure === 'inodes') {
          const used = s.files - s.ffree;
          return {
            value: s.files ? (used / s.files) * 100 : 0,
            unit: 'percent',
            observedAt,
            details: { path: check.path, inodesUsed: used, inodesTotal: s.files },
          };
        }
        // As df counts: blocks reserved for root are not available to others.
        const used = (s.blocks - s.bfree) * s.bsize;
        const available = s.bavail * s.bsize;
        return {
          value: used + available ? (used / (used + available)) * 100 : 0,
          unit: 'percent',
          observedAt,
          details: { path: check.path, usedBytes: used, availableBytes: available },
        };
      }
      case 'memory': {
        const total = totalmem();
        const available = await availableMemory();
        return {
          value: ((total - available) / total) * 100,
          unit: 'percent',
          observedAt,
          details: { totalBytes: total, availableBytes: available },
        };
      }
      case 'load': {
        const n = cpus().length || 1;
        const [one, five, fifteen] = loadavg();
        return {
          value: one! / n,
          unit: 'count',
          observedAt,
          details: { cpus: n, load1: one!, load5: five!, load15: fifteen! },
        };
      }
      default:
        throw new CollectError(`host connector "${this.id}" cannot run a ${check.type} check`);
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

export const hostConnector: ConnectorFactory<'host'> = {
  type: 'host',
  create: (id) => new HostConnector(id),
};
