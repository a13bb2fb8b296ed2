import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller.js';

/** The dead-letter endpoints; `AppModule` imports it only when the durable inbox is on. */
@Module({ controllers: [DeadLettersController] })
export class DeadLettersModule {}
