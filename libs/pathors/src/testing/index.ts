export * from './event-builders.js';
export * from './auth-headers.js';
export * from './deliver-webhook.util.js';
export * from './simulator/index.js';
export * from './pathors-testing.module.js';
