// The channel types pipewatch can send through, one line per channel (channels/<type>/index.ts), and
// the worker's cache of live senders (one SMTP transport per channel and settings). Adding a channel:
// a folder channels/<type>/ with schema.ts, descriptor.ts and index.ts, and one line in each of
// channels/schemas.ts, channels/descriptors.ts and this file.
import type { NamedChannel } from '../config/model.js';
import { ResolvedCache } from '../config/resolved-cache.js';
import { alertmanagerChannel } from './alertmanager/index.js';
import { consoleChannel } from './console/index.js';
import { emailChannel } from './email/index.js';
import { slackChannel } from './slack/index.js';
import { webhookChannel } from './webhook/index.js';
import type { ChannelFactory, ChannelSender } from './types.js';

export const CHANNEL_FACTORIES: { [T in NamedChannel['type']]: ChannelFactory<T> } = {
  email: emailChannel,
  slack: slackChannel,
  webhook: webhookChannel,
  console: consoleChannel,
  alertmanager: alertmanagerChannel,
};

export function channelCache(env: NodeJS.ProcessEnv = process.env): ResolvedCache<NamedChannel, ChannelSender> {
  return new ResolvedCache<NamedChannel, ChannelSender>(
    'channels',
    (id, settings) => (CHANNEL_FACTORIES[settings.type] as ChannelFactory).create(id, settings as never),
    (sender) => sender.close(),
    env,
  );
}
