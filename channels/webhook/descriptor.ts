// A webhook: told when something changes, and by reminders. (channels/descriptor.ts)
import type { ChannelDescriptor } from '../descriptor.js';

export const webhookDescriptor: ChannelDescriptor<'webhook'> = {
  type: 'webhook',
  carriesReports: false,
};
