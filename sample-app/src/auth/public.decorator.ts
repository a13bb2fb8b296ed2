import { Reflector } from '@nestjs/core';

/**
 * Marks a controller or route as reachable without the `x-api-key` header: health probes, and the Pathors webhook
 * controllers through `webhook.decorators: [Public()]` (Pathors authenticates with the webhook secret instead).
 */
export const Public = Reflector.createDecorator<true>({ transform: () => true });
