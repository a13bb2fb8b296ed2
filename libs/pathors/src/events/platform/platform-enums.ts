import type { PathorsValue } from '../pathors-value.js';

/** Channels of a platform session (`type`) this version knows. */
export const PATHORS_SESSION_CHANNELS = ['VOICE', 'CHAT'] as const;
/** A channel this version knows. */
export type PathorsSessionChannel = (typeof PATHORS_SESSION_CHANNELS)[number];
/** The channel of a platform session as delivered: a {@link PathorsSessionChannel} or one Pathors added since. */
export type PathorsSessionChannelValue = PathorsValue<PathorsSessionChannel>;

/** Surfaces a platform session runs on (`platform`) this version knows. */
export const PATHORS_SESSION_PLATFORMS = ['PHONE', 'WEB', 'WHATSAPP'] as const;
/** A surface this version knows. */
export type PathorsSessionPlatform = (typeof PATHORS_SESSION_PLATFORMS)[number];
/** The surface of a platform session as delivered: a {@link PathorsSessionPlatform} or one Pathors added since. */
export type PathorsSessionPlatformValue = PathorsValue<PathorsSessionPlatform>;

/** Directions of a platform session (`direction`) this version knows. */
export const PATHORS_SESSION_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const;
/** A direction this version knows. */
export type PathorsSessionDirection = (typeof PATHORS_SESSION_DIRECTIONS)[number];
/** The direction of a platform session as delivered: a {@link PathorsSessionDirection} or one Pathors added since. */
export type PathorsSessionDirectionValue = PathorsValue<PathorsSessionDirection>;

/** States of a platform session (`state`) this version knows. */
export const PATHORS_SESSION_STATES = ['OPEN', 'CLOSED', 'EXPIRED'] as const;
/** A state this version knows. */
export type PathorsSessionState = (typeof PATHORS_SESSION_STATES)[number];
/** The state of a platform session as delivered: a {@link PathorsSessionState} or one Pathors added since. */
export type PathorsSessionStateValue = PathorsValue<PathorsSessionState>;
