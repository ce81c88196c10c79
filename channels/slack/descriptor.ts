// Slack: told when something changes, and by reminders. (channels/descriptor.ts)
import type { ChannelDescriptor } from '../descriptor.js';

export const slackDescriptor: ChannelDescriptor<'slack'> = {
  type: 'slack',
  carriesReports: false,
};
