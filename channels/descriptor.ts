// What pipewatch knows about a channel type without sending anything: whether it can carry a
// report, and whether a firing alert is sent to it again while it lasts. Pure data and functions
// (types only from elsewhere), so the loader and workflow code may read them (channels/descriptors.ts).
import type { ChannelSpec } from './schemas.js';

export type ChannelType = ChannelSpec['type'];

export interface ChannelDescriptor<T extends ChannelType = ChannelType> {
  type: T;
  /** It can deliver a pipeline report (HTML with inline PNG charts): a report's channels must. */
  carriesReports: boolean;
  /**
   * How often the incident sends a firing alert to this channel again while it lasts, for receivers that
   * expire alerts which are not re-sent (Alertmanager); absent: told when something changes, and by reminders.
   */
  resendEveryMs?(spec: Extract<ChannelSpec, { type: T }>): number;
}
