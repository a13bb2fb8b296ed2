/** Internal token of the resolved, validated options (see `resolvePathorsOptions`). */
export const PATHORS_RESOLVED_OPTIONS = Symbol('PATHORS_RESOLVED_OPTIONS');
