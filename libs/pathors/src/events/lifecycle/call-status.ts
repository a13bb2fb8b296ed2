/** Every final call status Pathors documents for `call.ended` and `session.finalized` (`Ended` is capitalised as documented). */
export const PATHORS_CALL_STATUSES = [
  'userHangup',
  'agentHangup',
  'transferred',
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

/** Final domain status of a call. */
export type PathorsCallStatus = (typeof PATHORS_CALL_STATUSES)[number];
