/** Channel of a platform session (`type`). */
export const PATHORS_SESSION_CHANNELS = ['VOICE', 'CHAT'] as const;
/** Channel of a platform session. */
export type PathorsSessionChannel = (typeof PATHORS_SESSION_CHANNELS)[number];

/** Surface a platform session runs on (`platform`). */
export const PATHORS_SESSION_PLATFORMS = ['PHONE', 'WEB', 'WHATSAPP'] as const;
/** Surface a platform session runs on. */
export type PathorsSessionPlatform = (typeof PATHORS_SESSION_PLATFORMS)[number];

/** Direction of a platform session (`direction`). */
export const PATHORS_SESSION_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const;
/** Direction of a platform session. */
export type PathorsSessionDirection = (typeof PATHORS_SESSION_DIRECTIONS)[number];

/** State of a platform session (`state`). */
export const PATHORS_SESSION_STATES = ['OPEN', 'CLOSED', 'EXPIRED'] as const;
/** State of a platform session. */
export type PathorsSessionState = (typeof PATHORS_SESSION_STATES)[number];
