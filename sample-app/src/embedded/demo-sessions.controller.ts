import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { PathorsApiErrorFilter } from '../follow-ups/pathors-api-error.filter.js';
import { DemoSessions, type PlayedDemoSession } from './demo-sessions.service.js';
import { PlaySessionDto } from './play-session.dto.js';

/** Demo endpoints of the embedded mode: only mounted when the app runs on the simulator. */
@Controller('demo')
@UseFilters(PathorsApiErrorFilter)
export class DemoSessionsController {
  constructor(private readonly demo: DemoSessions) {}

  /**
   * `POST /demo/sessions` `{ kind: 'call' | 'text', agent?: 'default' | 'support', duplicates?, reorder? }`: starts a
   * conversation with the agent (a follow-up by default) and has its simulator play it to the end; answers once its
   * webhooks were delivered back to this app.
   */
  @Post('sessions')
  @HttpCode(HttpStatus.OK)
  play(@Body() request: PlaySessionDto): Promise<PlayedDemoSession> {
    return this.demo.play(request);
  }
}
