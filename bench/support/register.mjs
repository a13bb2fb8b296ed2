// `node --import ./bench/support/register.mjs file.ts`: runs TypeScript sources through ./ts-hooks.mjs.
import { register } from 'node:module';
import 'reflect-metadata';

register('./ts-hooks.mjs', import.meta.url);
