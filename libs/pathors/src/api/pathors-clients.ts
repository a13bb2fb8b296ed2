import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PathorsDeadLetterService } from '../delivery/pathors-dead-letter.service.js';
import { PathorsConfigurationError } from '../pathors.errors.js';
import {
  DEFAULT_PATHORS_REGISTRATION,
  registrationToken,
  requireRegistration,
  type PathorsRegistrationRole,
} from '../pathors-registration.js';
import { PathorsAgentService } from './pathors-agent.service.js';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsCallsService } from './pathors-calls.service.js';
import { PathorsChatService } from './pathors-chat.service.js';
import { PathorsSessionService } from './pathors-session.service.js';

/** The API services of one Pathors project. */
export interface PathorsProjectClients {
  readonly sessions: PathorsSessionService;
  readonly chat: PathorsChatService;
  readonly calls: PathorsCallsService;
  readonly agent: PathorsAgentService;
}

/** A project known only at run time (a platform's tenant): see {@link PathorsClients.create}. */
export interface PathorsTenantCredentials {
  /** The tenant's developer key (`dk_…`). */
  readonly apiKey: string;
  /** The tenant's project. */
  readonly projectId: string;
  /**
   * The registration whose base URL, API style, timeout, retry policy and HTTP transport the clients share.
   * @default 'default'
   */
  readonly registration?: string;
}

const servicesOf = (client: PathorsApiClient): PathorsProjectClients => ({
  sessions: new PathorsSessionService(client),
  chat: new PathorsChatService(client),
  calls: new PathorsCallsService(client),
  agent: new PathorsAgentService(client),
});

/**
 * The API clients of every Pathors project the app talks to: those of each `PathorsModule` registration by name
 * (an app with a sales agent and a support agent registers `forRoot({ name: 'sales' })` and `forRoot({ name:
 * 'support' })`), and clients made at run time for a tenant's API key and project. The unnamed registration's services
 * are also injectable directly (`PathorsSessionService`, …). Each registration's dead letters are reached here too,
 * with {@link PathorsClients.deadLetters}.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class Dialer {
 *   private readonly sales: PathorsProjectClients;
 *   constructor(private readonly clients: PathorsClients) {
 *     this.sales = clients.get('sales'); // a wrong name fails the boot, naming the registered ones
 *   }
 *
 *   callLead(toNumber: string) {
 *     return this.sales.calls.startOutboundCall({ toNumber, fromNumber: '+14155550100' });
 *   }
 *
 *   forTenant(tenant: Tenant) {
 *     return this.clients.create({ apiKey: tenant.pathorsKey, projectId: tenant.pathorsProject });
 *   }
 * }
 * ```
 */
@Injectable()
export class PathorsClients {
  private readonly byRegistration = new Map<string, PathorsProjectClients>();

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * The services of the registration named `registration`. Safe to call in a constructor: the services are looked up
   * on first use. Throws a {@link PathorsConfigurationError} naming the registered names when there is none by that
   * name.
   */
  get(registration: string = DEFAULT_PATHORS_REGISTRATION): PathorsProjectClients {
    requireRegistration(this.moduleRef, registration);
    let clients = this.byRegistration.get(registration);
    if (clients === undefined) {
      const lookUp = <T>(role: PathorsRegistrationRole): T =>
        this.moduleRef.get<T>(registrationToken(registration, role), { strict: false });
      clients = {
        get sessions() {
          return lookUp<PathorsSessionService>('sessions');
        },
        get chat() {
          return lookUp<PathorsChatService>('chat');
        },
        get calls() {
          return lookUp<PathorsCallsService>('calls');
        },
        get agent() {
          return lookUp<PathorsAgentService>('agent');
        },
      };
      this.byRegistration.set(registration, clients);
    }
    return clients;
  }

  /**
   * The dead letters of the registration named `registration` (those of its `delivery.inbox`). The unnamed
   * registration's are also injectable as `PathorsDeadLetterService`. Throws a {@link PathorsConfigurationError}
   * naming the registered names when there is none by that name.
   */
  deadLetters(registration: string = DEFAULT_PATHORS_REGISTRATION): PathorsDeadLetterService {
    requireRegistration(this.moduleRef, registration);
    return this.moduleRef.get(registrationToken(registration, 'dead-letters'), { strict: false });
  }

  /**
   * Services for a project known only at run time (a tenant of a platform that resells Pathors agents), sharing a
   * registration's transport and settings, without a module registration per tenant. Cheap: make them per request
   * or keep them per tenant.
   */
  create(credentials: PathorsTenantCredentials): PathorsProjectClients {
    const registration = credentials.registration ?? DEFAULT_PATHORS_REGISTRATION;
    for (const field of ['apiKey', 'projectId'] as const) {
      if (typeof credentials[field] !== 'string' || credentials[field].trim() === '') {
        throw new PathorsConfigurationError(`PathorsClients.create() needs a non-empty ${field}`);
      }
    }
    requireRegistration(this.moduleRef, registration);
    const client = this.moduleRef.get<PathorsApiClient>(registrationToken(registration, 'api-client'), {
      strict: false,
    });
    return servicesOf(client.withCredentials(credentials));
  }
}
