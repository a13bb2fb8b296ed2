import { Global, Module, type DynamicModule } from '@nestjs/common';

export class EmbeddedPathors {
  baseUrl = '';
  static async start(): Promise<EmbeddedPathors> {
    throw new Error('simulator not yet available');
  }
  environment(): Record<string, string> {
    return {};
  }
  async deliverTo(_url: string): Promise<void> {}
  async stop(): Promise<void> {}
}

@Global()
@Module({})
export class EmbeddedPathorsModule {
  static forRoot(embedded: EmbeddedPathors): DynamicModule {
    return {
      module: EmbeddedPathorsModule,
      providers: [{ provide: EmbeddedPathors, useValue: embedded }],
      exports: [EmbeddedPathors],
    };
  }
}
