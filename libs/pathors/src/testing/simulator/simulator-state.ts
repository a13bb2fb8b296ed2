import type {
  PathorsSimulatorOptions,
  SimulatedCompletion,
  SimulatedDelivery,
  SimulatedOutboundCall,
  SimulatedSession,
  SimulatedSessionShape,
  SimulatorRequest,
  SimulatorRequestMatch,
} from './simulator.types.js';

/** A pending fault: what to do to the next `remaining` matching requests. */
export interface SimulatorFault {
  remaining: number;
  readonly status?: number;
  readonly delayMs?: number;
  readonly retryAfterSeconds?: number;
  readonly body?: string | Record<string, unknown>;
  readonly match?: SimulatorRequestMatch;
}

/** The lifecycle events Pathors' postSessionWebhook.events accepts. */
export const ACCEPTED_WEBHOOK_EVENTS: readonly string[] = [
  'session.ended',
  'call.ended',
  'session.finalized',
  'recording.ready',
];

/** Everything the simulator holds in memory. Internal: read it through {@link PathorsSimulator}. */
export class SimulatorState {
  readonly apiKey: string;
  readonly projectId: string;
  readonly agentId = '6f1c2a9e-3b7d-4e8f-9a01-2b3c4d5e6f70';
  readonly pathwayId: string;
  readonly phoneNumbers: Set<string>;
  readonly sessionShape: SimulatedSessionShape;
  readonly wrapResponses: boolean;
  readonly probeWebhooks: boolean;
  credits: number;
  streamChunkDelayMs: number;
  agent: Record<string, unknown>;
  readonly sessions = new Map<string, SimulatedSession>();
  readonly calls: SimulatedOutboundCall[] = [];
  readonly requests: SimulatorRequest[] = [];
  readonly completions: SimulatedCompletion[] = [];
  readonly faults: SimulatorFault[] = [];
  readonly webhookProbes: SimulatedDelivery[] = [];

  constructor(options: PathorsSimulatorOptions) {
    this.apiKey = options.apiKey ?? 'dk_simulator';
    this.projectId = options.projectId ?? 'proj_simulator';
    this.pathwayId = `pathway_${this.projectId}`;
    this.phoneNumbers = new Set(options.phoneNumbers ?? ['+14155550100']);
    this.sessionShape = options.sessionShape ?? 'data';
    this.wrapResponses = options.wrapResponses ?? false;
    this.probeWebhooks = options.probeWebhooks ?? false;
    this.credits = options.credits ?? Number.POSITIVE_INFINITY;
    this.streamChunkDelayMs = options.streamChunkDelayMs ?? 0;
    this.agent = {
      id: this.agentId,
      name: 'Simulated agent',
      postSessionWebhook: null,
      postSessionVariableKeys: ['intention'],
      variableConfigs: [{ key: 'intention', description: 'What the caller wants' }],
      voiceIntelligence: { enabled: true, language: 'en' },
      postEvaluationConfig: { enabled: false },
      ...options.agent,
    };
  }

  /** The session `sessionId`, created on first use. */
  session(
    sessionId: string,
    init: Partial<Pick<SimulatedSession, 'channel' | 'provider' | 'phoneNumber'>> = {},
  ): SimulatedSession {
    let session = this.sessions.get(sessionId);
    if (!session) {
      const now = new Date().toISOString();
      session = {
        sessionId,
        channel: 'text',
        variables: {},
        messages: [],
        createdAt: now,
        updatedAt: now,
        ...init,
      };
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  /** Appends messages and bumps `updatedAt`. */
  addMessages(
    session: SimulatedSession,
    messages: ReadonlyArray<{ role: string; content: string | null }>,
  ): void {
    for (const message of messages) {
      session.messages.push({
        role: message.role,
        content: message.content ?? '',
        timestamp: new Date().toISOString(),
      });
    }
    session.updatedAt = new Date().toISOString();
  }

  /** Marks a session ended and its outbound call (if any) finished. */
  end(session: SimulatedSession): void {
    session.endedAt = new Date().toISOString();
    session.updatedAt = session.endedAt;
    for (const call of this.calls) if (call.sessionId === session.sessionId) call.status = 'ended';
  }

  /** Takes one use of the first fault matching the request, if any. */
  takeFault(method: string, path: string): SimulatorFault | undefined {
    const fault = this.faults.find(
      (candidate) => candidate.remaining > 0 && requestMatches(candidate.match, method, path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }
}

/** Whether a request of `method` to `path` matches `match` (no match given: every request does). */
export function requestMatches(
  match: SimulatorRequestMatch | undefined,
  method: string,
  path: string,
): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.includes(match.path) : match.path.test(path);
}
