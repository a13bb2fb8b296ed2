import { describe, expect, it } from '@jest/globals';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { PathorsConfigurationError, PathorsModule, type PathorsModuleOptions } from 'nestjs-pathors';

const boot = async (options: PathorsModuleOptions): Promise<void> => {
  const moduleRef = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot(), PathorsModule.forRoot(options)],
  }).compile();
  await moduleRef.close();
};

describe('API client options are validated at boot', () => {
  const api = { apiKey: 'dk_x', projectId: 'p', webhook: { enabled: false } };

  it.each<[string, PathorsModuleOptions, RegExp]>([
    ['apiStyle', { ...api, apiStyle: 'v2' as 'v1' }, /"apiStyle" must be 'v1' or 'legacy'/],
    ['timeoutMs', { ...api, timeoutMs: 0 }, /"timeoutMs" must be a positive integer/],
    [
      'retry.maxAttempts',
      { ...api, retry: { maxAttempts: 1.5 } },
      /"retry.maxAttempts" must be a positive integer/,
    ],
    [
      'retry.maxDelayMs',
      { ...api, retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      /"retry.maxDelayMs" \(100\) is below/,
    ],
    [
      'webhook.register.publicUrl',
      { ...api, webhook: { secret: 's', register: { publicUrl: 'ftp://x' } } },
      /"webhook.register.publicUrl" is not an absolute http\(s\) URL/,
    ],
    [
      'webhook.register without secret',
      {
        ...api,
        webhook: {
          signingSecret: `whsec_${Buffer.alloc(24).toString('base64')}`,
          register: { publicUrl: 'https://x.example' },
        },
      },
      /"webhook.register" needs webhook.secret/,
    ],
    [
      'webhook.register without apiKey',
      { projectId: 'p', webhook: { secret: 's', register: { publicUrl: 'https://x.example' } } },
      /"apiKey" is not set, but webhook.register writes the agent/,
    ],
  ])('%s', async (_name, options, message) => {
    const failure = await boot(options).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PathorsConfigurationError);
    expect((failure as Error).message).toMatch(message);
  });

  it('accepts the documented options', async () => {
    await expect(
      boot({
        ...api,
        apiStyle: 'legacy',
        timeoutMs: 5000,
        retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 },
      }),
    ).resolves.toBeUndefined();
  });
});
