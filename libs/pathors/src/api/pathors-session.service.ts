import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';

/** Typed client of the Pathors session API. */
@Injectable()
export class PathorsSessionService {
  constructor(@Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions) {}

  /** The project the service acts on, if configured. */
  get projectId(): string | undefined {
    return this.options.projectId;
  }
}
