// `node --import ./bench/support/register.mjs file.ts`: runs TypeScript sources through ./ts-hooks.mjs.
// With NESTJS_PATHORS_BENCH_SOURCE set to a `libs/pathors/src` folder (an absolute path), `nestjs-pathors` and its
// subpaths load from there instead of this checkout: how `--compare <ref>` runs a baseline's webhook.
import { register } from 'node:module';
import 'reflect-metadata';

register('./ts-hooks.mjs', import.meta.url, {
  data: { librarySource: process.env.NESTJS_PATHORS_BENCH_SOURCE },
});
