// The channel types of pipewatch.yaml: each channel's schema (channels/<type>/schema.ts) in one union,
// composed into the file by config/schema.ts. The order is the order `validate` names the types in
// ("expected one of: …"): a new channel goes at the end.
import { z } from 'zod';
import { alertmanagerChannelSchema } from './alertmanager/schema.js';
import { consoleChannelSchema } from './console/schema.js';
import { emailChannelSchema } from './email/schema.js';
import { slackChannelSchema } from './slack/schema.js';
import { webhookChannelSchema } from './webhook/schema.js';

export const channel = z.discriminatedUnion('type', [
  emailChannelSchema,
  slackChannelSchema,
  webhookChannelSchema,
  consoleChannelSchema,
  alertmanagerChannelSchema,
]);
export type ChannelSpec = z.infer<typeof channel>;
