// Email: the one channel that carries reports (HTML with inline charts). (channels/descriptor.ts)
import type { ChannelDescriptor } from '../descriptor.js';

export const emailDescriptor: ChannelDescriptor<'email'> = {
  type: 'email',
  carriesReports: true,
};
