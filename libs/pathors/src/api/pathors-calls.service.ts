import { Injectable } from '@nestjs/common';
import { PathorsApiClient } from './pathors-api.client.js';
import { optionalObject, requirePhoneNumber } from './pathors-input.validation.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';

/** Input of {@link PathorsCallsService.startOutboundCall}. */
export interface StartPathorsOutboundCallInput {
  /**
   * An active number of the project with an outbound trunk: E.164, or with `apiStyle: 'legacy'` also a local number
   * (see {@link StartPathorsOutboundCallInput.toNumber}).
   */
  readonly fromNumber: string;
  /**
   * The number to call. With `apiStyle: 'v1'` (the default) E.164 only (`+886912345678`). With `apiStyle: 'legacy'`
   * also digits only, 6 to 15 of them, such as a local number without its country code (`0912345678`), as Pathors'
   * legacy integration page shows. Either way the number is sent exactly as given, never reformatted, and spaces or
   * dashes are refused.
   */
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
   * Queues a call. Both numbers are checked before anything is sent, by what the configured API style accepts
   * (E.164 on v1 paths; E.164 or a local number on legacy paths), and sent as given. Never retried (a retry could dial
   * twice). Rejects with `PathorsInvalidArgumentError` naming the field (never echoing the number) for a number the
   * style does not accept, `PathorsInsufficientCreditsError` (402), `PathorsCallInProgressError` (409, a call to this
   * number is already running), `PathorsNotFoundError` (404, number or trunk unknown).
   */
  async startOutboundCall(
    input: StartPathorsOutboundCallInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsOutboundCall> {
    const { apiStyle } = this.client;
    const body = {
      fromNumber: requirePhoneNumber(input?.fromNumber, 'fromNumber', apiStyle),
      toNumber: requirePhoneNumber(input.toNumber, 'toNumber', apiStyle),
      dynamicVariables: optionalObject(input.dynamicVariables, 'dynamicVariables'),
      projectId: this.client.projectId,
    };
    const response = await this.client.jsonObject({ operation: 'outboundCall', body, options });
    return { queued: true, raw: response.body };
  }
}
