// Channel types pipewatch knows, and the worker's cache of live senders (one
// SMTP transport per channel and settings).
import type { NamedChannel } from '../config/model.js';
import { ResolvedCache } from '../config/resolved-cache.js';
import { alertmanagerChannel } from './alertmanager.js';
import { consoleChannel } from './console.js';
import { emailChannel } from './email.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';
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
