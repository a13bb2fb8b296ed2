/** Every Pathors API operation the client performs. */
export type PathorsOperation =
  | 'createSession'
  | 'getSession'
  | 'endSession'
  | 'terminateSession'
  | 'searchSessions'
  | 'sessionHistory'
  | 'chatCompletion'
  | 'outboundCall'
  | 'getAgent'
  | 'updateAgent'
  | 'listProjects';

/** HTTP methods the API uses. */
export type PathorsHttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Where and how one operation is sent. */
export interface PathorsRoute {
  readonly method: PathorsHttpMethod;
  /** Path below the base URL. */
  readonly path: string;
  /** Legacy integration paths live on app.pathors.com unless `baseUrl` says otherwise. */
  readonly legacyAppHost: boolean;
  /** Safe to send twice: only these are retried. */
  readonly idempotent: boolean;
}

type PathFor = (projectId: string, sessionId: string) => string;

interface RouteSpec {
  readonly method: PathorsHttpMethod;
  readonly idempotent: boolean;
  readonly v1: PathFor;
  /** Absent: the operation exists on v1 paths only. */
  readonly legacy?: PathFor;
  readonly legacyAppHost?: boolean;
}

const v1 = (projectId: string): string => `/v1/projects/${encodeURIComponent(projectId)}`;
const integration = (projectId: string): string =>
  `/api/project/${encodeURIComponent(projectId)}/integration/api`;
const project = (projectId: string): string => `/project/${encodeURIComponent(projectId)}`;
const session = (sessionId: string): string => encodeURIComponent(sessionId);

const ROUTES: Readonly<Record<PathorsOperation, RouteSpec>> = {
  createSession: {
    method: 'POST',
    idempotent: false,
    v1: (p) => `${v1(p)}/sessions`,
    legacy: (p) => `${integration(p)}/session`,
    legacyAppHost: true,
  },
  getSession: {
    method: 'GET',
    idempotent: true,
    v1: (p, s) => `${v1(p)}/sessions/${session(s)}`,
    legacy: (p, s) => `${integration(p)}/session/${session(s)}`,
    legacyAppHost: true,
  },
  endSession: {
    method: 'DELETE',
    idempotent: true,
    v1: (p) => `${v1(p)}/sessions`,
    legacy: (p) => `${integration(p)}/session`,
    legacyAppHost: true,
  },
  terminateSession: {
    method: 'POST',
    idempotent: false,
    v1: (p) => `${v1(p)}/sessions/terminate`,
    legacy: (p) => `${integration(p)}/session/terminate`,
    legacyAppHost: true,
  },
  // A read: safe to repeat although it is a POST.
  searchSessions: {
    method: 'POST',
    idempotent: true,
    v1: (p) => `${v1(p)}/sessions/search`,
    legacy: (p) => `${integration(p)}/session/search`,
    legacyAppHost: true,
  },
  sessionHistory: {
    method: 'GET',
    idempotent: true,
    v1: (p) => `${v1(p)}/session-history`,
    legacy: (p) => `${project(p)}/session`,
  },
  chatCompletion: {
    method: 'POST',
    idempotent: false,
    v1: (p) => `${v1(p)}/chat/completions`,
    legacy: (p) => `${integration(p)}/chat/completions`,
    legacyAppHost: true,
  },
  outboundCall: {
    method: 'POST',
    idempotent: false,
    v1: () => '/v1/calls/outbound',
    legacy: (p) => `${project(p)}/integration/phone/call/outbound`,
  },
  getAgent: { method: 'GET', idempotent: true, v1: (p) => `${v1(p)}/agent` },
  updateAgent: { method: 'PUT', idempotent: true, v1: (p) => `${v1(p)}/agent` },
  listProjects: { method: 'GET', idempotent: true, v1: () => '/v1/projects' },
};

/** The route of `operation` in the given API style; v1-only operations use their v1 path in both styles. */
export function routeOf(
  operation: PathorsOperation,
  style: 'v1' | 'legacy',
  projectId: string,
  sessionId = '',
): PathorsRoute {
  const spec = ROUTES[operation];
  const pathFor = style === 'legacy' && spec.legacy ? spec.legacy : spec.v1;
  return {
    method: spec.method,
    path: pathFor(projectId, sessionId),
    legacyAppHost: pathFor === spec.legacy && spec.legacyAppHost === true,
    idempotent: spec.idempotent,
  };
}
