// The host connector's part of pipewatch.yaml: the connector and its checks.
import { z } from 'zod';

export const hostConnector = z
  .strictObject({ type: z.literal('host') })
  .meta({ description: 'The machine the worker runs on: disks, memory, load.' });

export const diskCheck = z
  .strictObject({
    type: z.literal('disk'),
    path: z.string().min(1),
    measure: z.enum(['used', 'inodes']).default('used'),
  })
  .meta({ description: 'Percent of the filesystem holding path that is used (space or inodes).' });

export const memoryCheck = z
  .strictObject({ type: z.literal('memory') })
  .meta({ description: 'Percent of the host memory in use.' });

export const loadCheck = z
  .strictObject({ type: z.literal('load') })
  .meta({ description: '1-minute load average per CPU.' });
