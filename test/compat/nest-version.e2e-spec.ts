import { describe, expect, it } from '@jest/globals';
import common from '@nestjs/common/package.json' with { type: 'json' };
import core from '@nestjs/core/package.json' with { type: 'json' };
import express from '@nestjs/platform-express/package.json' with { type: 'json' };
import fastify from '@nestjs/platform-fastify/package.json' with { type: 'json' };
import swagger from '@nestjs/swagger/package.json' with { type: 'json' };
import terminus from '@nestjs/terminus/package.json' with { type: 'json' };

/**
 * Proves which NestJS major the e2e suites ran on: 12 in the normal run, 11 under `npm run test:compat`
 * (jest.nest11.config.js sets `PATHORS_EXPECTED_NEST_MAJOR`), so a mapping mistake cannot pass silently.
 */
describe('NestJS version under test', () => {
  const expected = process.env.PATHORS_EXPECTED_NEST_MAJOR ?? '12';

  it.each([common, core, express, fastify, swagger, terminus])(`$name is ${expected}.x`, (manifest) => {
    expect(manifest.version.split('.')[0]).toBe(expected);
  });
});
