import { Injectable } from '@nestjs/common';
import { PathorsApiClient } from './pathors-api.client.js';
import { optionalObject, requirePhoneNumber } from './pathors-input.validation.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';

/** Input of {@link PathorsCallsService.startOutboundCall}. */
export interface StartPathorsOutboundCallInput {
  /** An active number of the project with an outbound trunk, E.164. */
  readonly fromNumber: string;
  /** The number to call, E.164 (`+14155550123`). */
  readonly toNumber: string;
  /** Variables the pathway sees for this call (correlation ids, the customer's name, …). */
  readonly dynamicVariables?: Record<string, unknown>;
}

/** Pathors queued the call. Its session id arrives later, in the `call.ended` / `session.finalized` webhooks. */
export interface PathorsOutboundCall {
  readonly queued: true;
  /** The response body as received (Pathors documents only `{success: true}`). */
  readonly raw: Record<string, unknown>;
}

/**
 * Places outbound calls from the project's agent.
 *
 * @example
 * ```ts
 * await calls.startOutboundCall({
 *   fromNumber: '+14155550100',
 *   toNumber: customer.phone,
 *   dynamicVariables: { crmContactId: customer.id },
 * });
 * ```
 */
@Injectable()
export class PathorsCallsService {
  constructor(private readonly client: PathorsApiClient) {}

  /**
   * Queues a call. Both numbers are checked for E.164 before anything is sent. Never retried (a retry could dial
   * twice). Rejects with `PathorsInsufficientCreditsError` (402), `PathorsCallInProgressError` (409, a call to this
   * number is already running), `PathorsNotFoundError` (404, number or trunk unknown).
   */
  async startOutboundCall(
    input: StartPathorsOutboundCallInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsOutboundCall> {
    const body = {
      fromNumber: requirePhoneNumber(input?.fromNumber, 'fromNumber'),
      toNumber: requirePhoneNumber(input.toNumber, 'toNumber'),
      dynamicVariables: optionalObject(input.dynamicVariables, 'dynamicVariables'),
      projectId: this.client.projectId,
    };
    const response = await this.client.jsonObject({ operation: 'outboundCall', body, options });
    return { queued: true, raw: response.body };
  }
}
