export {
  PathorsHealthIndicator,
  type PathorsDeliveryHealthCheckOptions,
  type PathorsHealthCheckOptions,
} from './pathors.health.js';
