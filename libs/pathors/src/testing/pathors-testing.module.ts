import {
  Injectable,
  Module,
  type DynamicModule,
  type INestApplication,
  type INestApplicationContext,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DEFAULT_PATHORS_REGISTRATION, registrationToken } from '../pathors-registration.js';
import { PathorsModule } from '../pathors.module.js';
import type { PathorsModuleOptions } from '../pathors.options.js';
import { deliver, type DeliverOptions, type DeliverResult } from './deliver-webhook.util.js';
import { PathorsSimulator } from './simulator/pathors-simulator.js';
import type {
  PathorsSimulatorOptions,
  PlayedSession,
  SimulatedSessionScript,
} from './simulator/simulator.types.js';

/** The webhook secret {@link PathorsTestingModule} configures unless told otherwise; {@link deliver} uses it. */
export const PATHORS_TESTING_SECRET = 'pathors-testing-secret';

/** Options of {@link PathorsTestingModule.forRoot}. Every field is optional. */
export interface PathorsTestingModuleOptions {
  /**
   * Name of the `PathorsModule` registration (`forRoot({ name })`), for an app with several agents: each testing
   * registration gets a simulator of its own, reached with {@link getPathorsSimulator}.
   * @default 'default'
   */
  readonly name?: string;
  /**
   * Options of the simulator the module starts on an ephemeral port of 127.0.0.1 (API key, project, phone numbers,
   * credits, response shapes…).
   * @default {}
   */
  readonly simulator?: PathorsSimulatorOptions;
  /**
   * `PathorsModule` options besides the API connection, which always points at the simulator. `webhook` is merged
   * over the default.
   * @default { webhook: { secret: PATHORS_TESTING_SECRET } }
   * @example { webhook: { path: 'hooks/pathors' }, delivery: { … } }
   */
  readonly pathors?: Omit<PathorsModuleOptions, 'apiKey' | 'projectId' | 'baseUrl'>;
}

/** Stops the simulator with the app, so a test run leaves no server listening. */
@Injectable()
class PathorsSimulatorLifecycle implements OnModuleDestroy {
  constructor(private readonly simulator: PathorsSimulator) {}

  onModuleDestroy(): Promise<void> {
    return this.simulator.stop();
  }
}

/** Holds the simulator of one {@link PathorsTestingModule} registration. */
@Module({})
class PathorsSimulatorHostModule {}

/**
 * The simulator of a {@link PathorsTestingModule} registration (the unnamed one by default).
 *
 * @example
 * ```ts
 * const sales = getPathorsSimulator(app, 'sales');
 * await sales.playSession({ callStatus: 'busy' });
 * ```
 */
export function getPathorsSimulator(
  app: INestApplicationContext,
  registration: string = DEFAULT_PATHORS_REGISTRATION,
): PathorsSimulator {
  return app.get<PathorsSimulator>(registrationToken(registration, 'simulator'), { strict: false });
}

/**
 * `PathorsModule` for tests, backed by an in-process {@link PathorsSimulator}: the API services
 * (`PathorsSessionService`, `PathorsCallsService`, …) talk to the simulator over real HTTP, the webhook endpoint is
 * mounted with a known secret, and the simulator is injectable to script sessions, inject faults and read the
 * requests it received. It stops when the app closes. The app still imports `EventEmitterModule.forRoot()`.
 *
 * @example
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [EventEmitterModule.forRoot(), PathorsTestingModule.forRoot()],
 *   providers: [CallOutcomes],
 * }).compile();
 * const app = await moduleRef.createNestApplication().init();
 * await deliver(app, buildCallEnded({ callStatus: 'busy', callDuration: 0 }));
 * ```
 */
@Module({})
export class PathorsTestingModule {
  /** Registers `PathorsModule` against a fresh simulator. */
  static forRoot(options: PathorsTestingModuleOptions = {}): DynamicModule {
    const registration = options.name ?? DEFAULT_PATHORS_REGISTRATION;
    const simulatorModule: DynamicModule = {
      module: PathorsSimulatorHostModule,
      providers: [
        {
          provide: PathorsSimulator,
          useFactory: async () => {
            const simulator = new PathorsSimulator(options.simulator);
            await simulator.start();
            return simulator;
          },
        },
        { provide: registrationToken(registration, 'simulator'), useExisting: PathorsSimulator },
        PathorsSimulatorLifecycle,
      ],
      // As PathorsModule does: a named registration exports no class token, so two never shadow each other's.
      exports: [
        registrationToken(registration, 'simulator'),
        ...(registration === DEFAULT_PATHORS_REGISTRATION ? [PathorsSimulator] : []),
      ],
    };
    const webhook = options.pathors?.webhook;
    const pathorsModule = PathorsModule.forRootAsync({
      name: options.name,
      // The route is fixed when the module is defined; the rest of the options come with the simulator.
      webhook: { enabled: webhook?.enabled, path: webhook?.path, decorators: webhook?.decorators },
      imports: [simulatorModule],
      inject: [registrationToken(registration, 'simulator')],
      useFactory: (simulator: PathorsSimulator): PathorsModuleOptions => ({
        ...options.pathors,
        webhook: { secret: PATHORS_TESTING_SECRET, ...options.pathors?.webhook },
        ...simulator.moduleOptions(),
      }),
    });
    return {
      module: PathorsTestingModule,
      imports: [simulatorModule, pathorsModule],
      exports: [simulatorModule, pathorsModule],
    };
  }
}

/** What {@link deliverSession} did: the session the simulator played and the app's answer to each of its events. */
export interface DeliveredSession {
  /** The session and the payloads it emitted, in the documented order. */
  readonly played: PlayedSession;
  /** The app's answer to each payload, in the same order. */
  readonly results: readonly DeliverResult[];
}

/**
 * Plays a whole session on the app's simulator (see {@link PathorsTestingModule}; the one of `options.registration`) and
 * {@link deliver}s its lifecycle
 * events to the app in the documented order (session.ended, call.ended, session.finalized, recording.ready; a text
 * session emits session.ended and session.finalized), each resolved after its handlers ran. Give the id of a session
 * or outbound call the app started through the API to end that one.
 *
 * @example
 * ```ts
 * await calls.startOutboundCall({ toNumber: '+14155550123', … });
 * const [call] = app.get(PathorsSimulator).outboundCalls();
 * const { results } = await deliverSession(app, { sessionId: call.sessionId, callStatus: 'voicemail' });
 * expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
 * ```
 */
export async function deliverSession(
  app: INestApplication,
  script: Omit<SimulatedSessionScript, 'delivery'> = {},
  options: DeliverOptions = {},
): Promise<DeliveredSession> {
  const played = await getPathorsSimulator(app, options.registration).playSession({
    ...script,
    delivery: false,
  });
  const results: DeliverResult[] = [];
  for (const payload of played.payloads) results.push(await deliver(app, payload, options));
  return { played, results };
}
