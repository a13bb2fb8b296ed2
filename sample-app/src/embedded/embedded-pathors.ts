import {
  PATHORS_WEBHOOK_EVENTS,
  type PathorsCallStatus,
  type PathorsPostSessionWebhook,
} from 'nestjs-pathors';
import { PathorsSimulator, type PathorsSimulatorOptions } from 'nestjs-pathors/testing';
import { randomBytes } from 'node:crypto';
import { FOLLOW_UP_AGENT, SUPPORT_AGENT, type SampleAgent } from '../config/agents.js';
import type { DemoDelivery } from './demo-sessions.service.js';

/** The project number the follow-up agent's simulator lets outbound calls start from. */
const DEMO_FROM_NUMBER = '+14155550100';

/** A conversation for the simulator to play to its end. */
export interface EmbeddedConversation {
  /** The session to continue (a session opened through the API, an outbound call's), or a new one (an incoming call). */
  readonly sessionId: string;
  readonly kind: 'call' | 'text';
  readonly callStatus: PathorsCallStatus;
  /** Seconds. */
  readonly callDuration: number;
  /** What the agent extracted; the contact id comes back this way. */
  readonly extractedVariables: Record<string, unknown>;
  /** What was said; the simulator's four-message exchange when absent. */
  readonly messages?: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly content: string }>;
  /** Deliver every webhook twice. */
  readonly duplicates: boolean;
  /** Deliver the webhooks in reverse order. */
  readonly reorder: boolean;
}

/**
 * One Pathors project in this process, the project of one agent: a `PathorsSimulator` of `nestjs-pathors/testing`
 * that serves the API, holds the agent configuration, and posts the lifecycle webhooks of the conversations it plays
 * to the URL the app registered on the agent, with this project's webhook secret.
 */
export class EmbeddedProject {
  private constructor(
    /** The simulator itself: its sessions, calls and the requests it received. */
    readonly simulator: PathorsSimulator,
    /** The secret this project's webhooks carry; the app's registration for the agent expects it. */
    readonly webhookSecret: string,
  ) {}

  /** Starts a simulator on a free port. Without `webhookSecret`, a random one is made for this run. */
  static async start(options: PathorsSimulatorOptions, webhookSecret?: string): Promise<EmbeddedProject> {
    const simulator = new PathorsSimulator(options);
    await simulator.start();
    return new EmbeddedProject(simulator, webhookSecret || randomBytes(24).toString('base64url'));
  }

  /** The simulator's base URL. */
  get baseUrl(): string {
    return this.simulator.url;
  }

  /** The agent webhook that sends every lifecycle event to `url` with the project's secret. */
  webhookFor(url: string): PathorsPostSessionWebhook {
    return {
      url,
      headers: [{ key: 'Authorization', value: `Bearer ${this.webhookSecret}` }],
      events: [...PATHORS_WEBHOOK_EVENTS],
    };
  }

  /** The session of the outbound call in progress to `toNumber` (the simulator opens one per queued call). */
  callSessionTo(toNumber: string): string {
    const call = this.simulator
      .outboundCalls()
      .findLast((candidate) => candidate.toNumber === toNumber && candidate.status === 'in-progress');
    if (!call) throw new Error(`The simulator has no call in progress to ${toNumber}`);
    return call.sessionId;
  }

  /** Plays the conversation to its end and delivers its webhooks to the agent's webhook URL. */
  async play(conversation: EmbeddedConversation): Promise<DemoDelivery[]> {
    const played = await this.simulator.playSession({
      sessionId: conversation.sessionId,
      channel: conversation.kind,
      callStatus: conversation.callStatus,
      callDuration: conversation.callDuration,
      extractedVariables: conversation.extractedVariables,
      messages: conversation.messages,
      delivery: {
        order: conversation.reorder ? 'reversed' : 'documented',
        duplicates: conversation.duplicates ? 'all' : undefined,
      },
    });
    return played.deliveries.map(({ event, status, duplicate }) => ({ event, status, duplicate }));
  }

  /** Stops the simulator. */
  async stop(): Promise<void> {
    await this.simulator.stop();
  }
}

/** The webhook secrets to use instead of random ones, per agent (from `PATHORS_WEBHOOK_SECRET`, …). */
export type EmbeddedWebhookSecrets = Partial<Record<SampleAgent, string | undefined>>;

/**
 * Pathors in this process, for running the sample app with no account: one {@link EmbeddedProject} per agent, each
 * with its own key, project id and webhook secret, as two projects in the Pathors cloud would be.
 */
export class EmbeddedPathors {
  private constructor(private readonly projects: Readonly<Record<SampleAgent, EmbeddedProject>>) {}

  /** Starts the follow-up agent's and the support agent's projects. */
  static async start(secrets: EmbeddedWebhookSecrets = {}): Promise<EmbeddedPathors> {
    const followUp = await EmbeddedProject.start(
      { phoneNumbers: [DEMO_FROM_NUMBER] },
      secrets[FOLLOW_UP_AGENT],
    );
    try {
      const support = await EmbeddedProject.start(
        { apiKey: 'dk_simulator_support', projectId: 'proj_support' },
        secrets[SUPPORT_AGENT],
      );
      return new EmbeddedPathors({ [FOLLOW_UP_AGENT]: followUp, [SUPPORT_AGENT]: support });
    } catch (error) {
      await followUp.stop();
      throw error;
    }
  }

  /** The project of `agent`. */
  project(agent: SampleAgent): EmbeddedProject {
    return this.projects[agent];
  }

  /**
   * The environment a cloud setup with both agents would have, pointing at the simulators (it wins over the shell's
   * for this boot).
   */
  environment(): Record<string, string> {
    const followUp = this.projects[FOLLOW_UP_AGENT];
    const support = this.projects[SUPPORT_AGENT];
    return {
      PATHORS_API_KEY: followUp.simulator.apiKey,
      PATHORS_PROJECT_ID: followUp.simulator.projectId,
      PATHORS_BASE_URL: followUp.baseUrl,
      PATHORS_WEBHOOK_SECRET: followUp.webhookSecret,
      PATHORS_FROM_NUMBER: DEMO_FROM_NUMBER,
      PATHORS_SUPPORT_API_KEY: support.simulator.apiKey,
      PATHORS_SUPPORT_PROJECT_ID: support.simulator.projectId,
      PATHORS_SUPPORT_BASE_URL: support.baseUrl,
      PATHORS_SUPPORT_WEBHOOK_SECRET: support.webhookSecret,
    };
  }

  /** Stops every simulator. */
  async stop(): Promise<void> {
    await Promise.all(Object.values(this.projects).map((project) => project.stop()));
  }
}
