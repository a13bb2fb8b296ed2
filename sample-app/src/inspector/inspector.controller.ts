import { Controller, Get, Header, NotFoundException, Optional, Sse, type MessageEvent } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { map, type Observable } from 'rxjs';
import { AgentWebhook, WEBHOOK_PATHS, type SampleAgent } from '../config/agents.js';
import { EmbeddedPathors } from '../embedded/embedded-pathors.js';
import { DeliveryInspector } from './delivery-inspector.service.js';
import type { DeliveryTrace } from './delivery-trace.types.js';

/** The page's static files: HTML and CSS from `sample-app/public`, the scripts compiled beside this file. */
const ASSETS = {
  page: new URL('../../public/index.html', import.meta.url),
  style: new URL('../../public/inspector.css', import.meta.url),
  script: new URL('./client/inspector.client.js', import.meta.url),
  chartScript: new URL('./client/live-chart.client.js', import.meta.url),
};

/** One agent whose webhook the inspector traces. */
export interface InspectedAgent {
  /** Its `PathorsModule` registration, as the deliveries' `registration` names it. */
  readonly agent: SampleAgent;
  /** The webhook route its Pathors project posts to, below the app's origin. */
  readonly webhookPath: string;
}

/** What the page shows in its header. */
export interface InspectorInfo {
  /** `embedded`: the in-process simulators play sessions; `cloud`: the real Pathors API. */
  readonly mode: 'embedded' | 'cloud';
  /** The agents registered, in registration order. */
  readonly agents: readonly InspectedAgent[];
}

/** The event inspector: a page at `/` that lists recent webhook deliveries live, over server-sent events. */
@Controller()
export class InspectorController {
  private readonly files = new Map<URL, Promise<string>>();

  constructor(
    private readonly inspector: DeliveryInspector,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Optional() private readonly embedded?: EmbeddedPathors,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): Promise<string> {
    return this.asset(ASSETS.page);
  }

  @Get('inspector/inspector.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): Promise<string> {
    return this.asset(ASSETS.style);
  }

  @Get('inspector/inspector.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): Promise<string> {
    return this.asset(ASSETS.script);
  }

  /** The chart's module, which the page's script imports (`./live-chart.client.js` beside it). */
  @Get('inspector/live-chart.client.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  chartScript(): Promise<string> {
    return this.asset(ASSETS.chartScript);
  }

  /** `GET /inspector/info`: the mode and the agents' webhook routes, for the page header and the player. */
  @Get('inspector/info')
  info(): InspectorInfo {
    return { mode: this.embedded ? 'embedded' : 'cloud', agents: this.agents() };
  }

  /** `GET /inspector/deliveries`: the recent deliveries, oldest first. */
  @Get('inspector/deliveries')
  deliveries(): readonly DeliveryTrace[] {
    return this.inspector.recent();
  }

  /** `GET /inspector/stream`: the recent deliveries, then each new one, as server-sent events. */
  @Sse('inspector/stream')
  stream(): Observable<MessageEvent> {
    return this.inspector.stream().pipe(map((trace) => ({ id: String(trace.id), data: trace })));
  }

  /** The agents whose webhook controllers are mounted: those marked `AgentWebhook(agent)` by their registration. */
  private agents(): InspectedAgent[] {
    return this.discovery.getControllers().flatMap(({ metatype }) => {
      const agent = metatype ? this.reflector.get(AgentWebhook, metatype) : undefined;
      return agent === undefined ? [] : [{ agent, webhookPath: `/${WEBHOOK_PATHS[agent]}` }];
    });
  }

  private asset(url: URL): Promise<string> {
    let content = this.files.get(url);
    if (!content) {
      content = readFile(url, 'utf8').catch(() => {
        this.files.delete(url);
        throw new NotFoundException(
          'Inspector asset missing: build the sample app with `npm run build:sample`',
        );
      });
      this.files.set(url, content);
    }
    return content;
  }
}
