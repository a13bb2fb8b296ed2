import { describe, expect, it } from '@jest/globals';
import * as classValidator from 'class-validator';
import manifest from 'class-validator/package.json' with { type: 'json' };
import root from '../../package.json' with { type: 'json' };

/**
 * Proves which class-validator the e2e suites validated events with: the repo's (its devDependency) in the normal run,
 * 0.14, the oldest minor of the package's peer range, under `npm run test:compat` (jest.nest11.config.js sets
 * `PATHORS_EXPECTED_CLASS_VALIDATOR_MINOR`), so a mapping mistake cannot pass silently.
 */
describe('class-validator version under test', () => {
  const expected =
    process.env.PATHORS_EXPECTED_CLASS_VALIDATOR_MINOR ??
    root.devDependencies['class-validator'].replace(/^\^/, '').split('.').slice(0, 2).join('.');

  it(`class-validator is ${expected}.x`, () => {
    expect(manifest.version.split('.').slice(0, 2).join('.')).toBe(expected);
  });

  // 0.15 added the ISO 639-1 validator: the module the package imports is the one whose manifest was read.
  it(`the imported module ${expected === '0.14' ? 'lacks' : 'has'} isISO6391, as class-validator ${expected} does`, () => {
    expect('isISO6391' in classValidator).toBe(expected !== '0.14');
  });
});
