// Alertmanager expires an alert that is not sent again: the incident re-sends it every `resendEvery` while it fires (channels/descriptor.ts).
import type { ChannelDescriptor } from '../descriptor.js';

export const alertmanagerDescriptor: ChannelDescriptor<'alertmanager'> = {
  type: 'alertmanager',
  carriesReports: false,
  resendEveryMs: (spec) => spec.resendEvery,
};
