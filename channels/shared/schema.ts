// What every channel's part of pipewatch.yaml has (channels/<type>/schema.ts spread it in).
import { z } from 'zod';
import { duration } from '../../config/schema-fields.js';

/** Fields every channel has. */
export const channelCommon = {
  rateLimit: z
    .strictObject({ max: z.int().min(1), per: duration })
    .optional()
    .meta({ description: 'At most `max` messages per `per` on this channel; more wait their turn (never dropped).' }),
};
