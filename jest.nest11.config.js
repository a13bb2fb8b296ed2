/**
 * The e2e suites on NestJS 11 and class-validator 0.14: the same Jest setup, with every `@nestjs/*` package the suites
 * use and class-validator resolved from the folder `scripts/install-nest11.sh` fills (run through `npm run test:compat`).
 */
import base from './jest.config.js';

const NEST11_DIR = process.env.NEST11_DIR ?? '/tmp/nestjs-pathors-nest11';
// Read by test/compat/nest-version.e2e-spec.ts, which fails if the mapping did not take effect.
process.env.PATHORS_EXPECTED_NEST_MAJOR = '11';
// Read by test/compat/class-validator-version.e2e-spec.ts, likewise.
process.env.PATHORS_EXPECTED_CLASS_VALIDATOR_MINOR = '0.14';
const NEST11_PACKAGES =
  'common|core|platform-express|platform-fastify|testing|event-emitter|config|swagger|terminus';

export default {
  ...base,
  displayName: 'nest11',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.e2e-spec.ts'],
  // Suites that run the built package or the sample app in a child process use the repo's NestJS 12, not this one.
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/sample-app/',
    '<rootDir>/test/cli/',
    'inbox-crash',
  ],
  // Nest 11 loads class-transformer & co. with require() from its own folder: let that find the repo's copies.
  modulePaths: ['<rootDir>/node_modules'],
  moduleNameMapper: {
    [`^@nestjs/(${NEST11_PACKAGES})$`]: `${NEST11_DIR}/node_modules/@nestjs/$1`,
    [`^@nestjs/(${NEST11_PACKAGES})/(.*)$`]: `${NEST11_DIR}/node_modules/@nestjs/$1/$2`,
    // The oldest class-validator of the peer range, for the package and Nest alike (one copy, one metadata storage).
    '^class-validator(/.*)?$': `${NEST11_DIR}/node_modules/class-validator$1`,
    ...base.moduleNameMapper,
  },
};
