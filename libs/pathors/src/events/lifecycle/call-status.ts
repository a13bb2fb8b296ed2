import type { PathorsValue } from '../pathors-value.js';

/**
 * Every final call status this version knows for `call.ended` and `session.finalized`: those of Pathors' webhook
 * documentation (`Ended` is capitalised as documented) and `transferFailed`, which its call status reference adds.
 * Pathors may send others: see {@link PathorsCallStatusValue}.
 */
export const PATHORS_CALL_STATUSES = [
  'userHangup',
  'agentHangup',
  'transferred',
  'transferFailed',
  'voicemail',
  'errorTransferred',
  'busy',
  'userNoAnswer',
  'userRejected',
  'invalidNumber',
  'sipTrunkFailure',
  'agentNoAnswer',
  'error',
  'unknown',
  'Ended',
] as const;

/** A final call status this version knows (one of {@link PATHORS_CALL_STATUSES}). */
export type PathorsCallStatus = (typeof PATHORS_CALL_STATUSES)[number];

/** The final status of a call as delivered: a {@link PathorsCallStatus}, or a status Pathors added since. */
export type PathorsCallStatusValue = PathorsValue<PathorsCallStatus>;
