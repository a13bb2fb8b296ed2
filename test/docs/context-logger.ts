import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps the messages each context logged, for the documentation's apps. */
export class ContextLogger implements LoggerService {
  private readonly lines: Array<{ context: unknown; message: string }> = [];
  log(message: unknown, context?: unknown): void {
    this.lines.push({ context, message: String(message) });
  }
  warn(): void {}
  error(): void {}
  /** The messages logged under `context`. */
  of(context: string): string[] {
    return this.lines.filter((line) => line.context === context).map((line) => line.message);
  }
}
