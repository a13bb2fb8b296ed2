export * from './event-builders.js';
export * from './auth-headers.js';
