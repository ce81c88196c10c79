// The channel descriptors (channels/descriptor.ts), one line per channel type. Pure: the loader and
// workflow code ask here instead of switching on channel types.
import { alertmanagerDescriptor } from './alertmanager/descriptor.js';
import { consoleDescriptor } from './console/descriptor.js';
import type { ChannelDescriptor, ChannelType } from './descriptor.js';
import { emailDescriptor } from './email/descriptor.js';
import type { ChannelSpec } from './schemas.js';
import { slackDescriptor } from './slack/descriptor.js';
import { webhookDescriptor } from './webhook/descriptor.js';

export const CHANNEL_DESCRIPTORS: { [T in ChannelType]: ChannelDescriptor<T> } = {
  email: emailDescriptor,
  slack: slackDescriptor,
  webhook: webhookDescriptor,
  console: consoleDescriptor,
  alertmanager: alertmanagerDescriptor,
};

export function channelDescriptor<T extends ChannelType>(type: T): ChannelDescriptor<T> {
  return CHANNEL_DESCRIPTORS[type] as ChannelDescriptor<T>;
}

/** How often a firing alert is sent to this channel again while it lasts; Infinity: not re-sent. */
export function resendEveryMs(spec: ChannelSpec): number {
  const descriptor = channelDescriptor(spec.type) as ChannelDescriptor;
  return descriptor.resendEveryMs ? descriptor.resendEveryMs(spec) : Infinity;
}
