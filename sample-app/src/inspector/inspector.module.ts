import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { DeliveryInspector } from './delivery-inspector.service.js';
import { DeliveryTraceInterceptor } from './delivery-trace.interceptor.js';
import { InspectorController } from './inspector.controller.js';

/** The event inspector page and the app-wide interceptor that feeds it. */
@Module({
  imports: [DiscoveryModule],
  controllers: [InspectorController],
  providers: [DeliveryInspector, { provide: APP_INTERCEPTOR, useClass: DeliveryTraceInterceptor }],
})
export class InspectorModule {}
