// How long activities that talk to the outside (sends, collects, reconciliation)
// may go silent before Temporal gives them to another worker. Shared by the
// workflows that set heartbeatTimeout and the activities that heartbeat, so the
// two cannot drift apart. Without it a killed worker's send was retried only
// when its whole start-to-close timeout had passed (68 s per kill with the 60 s
// default); with it, within about HEARTBEAT_TIMEOUT plus the retry's first
// interval (docs/RELIABILITY.md). An activity option: changing it alters no
// workflow command, so histories replay as before.

/** Temporal's heartbeatTimeout for these activities. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

/** How often they heartbeat: well inside the timeout, so a busy event loop does not cost a false takeover. */
export const HEARTBEAT_EVERY_MS = 1_000;
