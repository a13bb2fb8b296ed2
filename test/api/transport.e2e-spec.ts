import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  PathorsHttpTransport,
  PathorsModule,
  PathorsSessionService,
  type PathorsHttpRequest,
  type PathorsModuleOptions,
} from 'nestjs-pathors';

/** A transport that records what the client would send and answers from a script, no network involved. */
class RecordedTransport extends PathorsHttpTransport {
  readonly sent: PathorsHttpRequest[] = [];

  send(request: PathorsHttpRequest): Promise<Response> {
    this.sent.push(request);
    return Promise.resolve(Response.json({ sessionId: 's-1', pathwayId: 'p-1' }));
  }
}

describe('PathorsHttpTransport is replaceable (provider override)', () => {
  let app: INestApplication | undefined;

  const boot = async (
    options: PathorsModuleOptions,
  ): Promise<{ transport: RecordedTransport; sessions: PathorsSessionService }> => {
    const transport = new RecordedTransport();
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        PathorsModule.forRoot({
          apiKey: 'dk_test',
          projectId: 'proj 1',
          webhook: { enabled: false },
          ...options,
        }),
      ],
    })
      .overrideProvider(PathorsHttpTransport)
      .useValue(transport)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return { transport, sessions: app.get(PathorsSessionService) };
  };

  afterEach(async () => {
    await app?.close();
  });

  it('sends v1 requests to the default base URL, authenticated, with the project id encoded', async () => {
    const { transport, sessions } = await boot({});

    await sessions.createSession({ sessionId: 's-1' });

    expect(transport.sent[0]).toMatchObject({
      method: 'POST',
      url: 'https://api.pathors.com/v1/projects/proj%201/sessions',
      headers: {
        authorization: 'Bearer dk_test',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ session_id: 's-1' }),
    });
  });

  it('in legacy style sends integration paths to app.pathors.com and /project paths to api.pathors.com', async () => {
    const { transport, sessions } = await boot({ apiStyle: 'legacy' });

    await sessions.createSession({ sessionId: 's-1' });
    await sessions.sessionHistory();

    expect(transport.sent.map((request) => request.url)).toEqual([
      'https://app.pathors.com/api/project/proj%201/integration/api/session',
      'https://api.pathors.com/project/proj%201/session',
    ]);
  });

  it('keeps an explicit baseUrl for every legacy path', async () => {
    const { transport, sessions } = await boot({ apiStyle: 'legacy', baseUrl: 'https://pathors.internal/' });

    await sessions.createSession({ sessionId: 's-1' });

    expect(transport.sent[0].url).toBe(
      'https://pathors.internal/api/project/proj%201/integration/api/session',
    );
  });
});
