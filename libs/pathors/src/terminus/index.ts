export { PathorsHealthIndicator, type PathorsHealthCheckOptions } from './pathors.health.js';
