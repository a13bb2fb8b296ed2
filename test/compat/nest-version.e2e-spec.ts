import { describe, expect, it } from '@jest/globals';
import core from '@nestjs/core/package.json' with { type: 'json' };
import fastify from '@nestjs/platform-fastify/package.json' with { type: 'json' };

/**
 * Proves which NestJS major the e2e suites ran on: 12 in the normal run, 11 under `npm run test:compat`
 * (jest.nest11.config.js sets `PATHORS_EXPECTED_NEST_MAJOR`), so a mapping mistake cannot pass silently.
 */
describe('NestJS version under test', () => {
  const expected = process.env.PATHORS_EXPECTED_NEST_MAJOR ?? '12';

  it(`runs on @nestjs/core ${expected}.x`, () => {
    expect(core.version.split('.')[0]).toBe(expected);
    expect(fastify.version.split('.')[0]).toBe(expected);
  });
});
