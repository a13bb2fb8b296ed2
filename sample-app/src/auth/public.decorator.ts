import { Reflector } from '@nestjs/core';

/** Marks a controller or route as reachable without the `x-api-key` header (health probes). */
export const Public = Reflector.createDecorator<true>({ transform: () => true });
