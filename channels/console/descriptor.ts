// The console: told when something changes, and by reminders. (channels/descriptor.ts)
import type { ChannelDescriptor } from '../descriptor.js';

export const consoleDescriptor: ChannelDescriptor<'console'> = {
  type: 'console',
  carriesReports: false,
};
