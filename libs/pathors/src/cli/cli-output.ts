import { inspect, stripVTControlCharacters } from 'node:util';

type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold' | 'cyan';

/** Where a command writes, and whether it may use colour (a TTY, without `NO_COLOR`) and a live progress line. */
export class CliOutput {
  private readonly colour: boolean;
  private readonly live: boolean;
  private progressShown = false;

  /** Writes to the process's streams by default; colour follows stdout, the progress line stderr. */
  constructor(
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.colour = Boolean(stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
    this.live = Boolean(stderr.isTTY);
  }

  /** `text` in `style` on a colour terminal, unchanged otherwise. */
  paint(style: Style, text: string): string {
    if (!this.colour) return text;
    // util.styleText would apply its own TTY check to process.stdout; this decision is made for the given stream.
    const [open, close] = inspect.colors[style] ?? [0, 0];
    return `\x1b[${open}m${text}\x1b[${close}m`;
  }

  /** A status code, green for 2xx and red otherwise. */
  status(code: number): string {
    return this.paint(code >= 200 && code < 300 ? 'green' : 'red', String(code));
  }

  /** One line on stdout. */
  line(text = ''): void {
    this.clearProgress();
    this.stdout.write(`${text}\n`);
  }

  /** One line on stderr. */
  error(text: string): void {
    this.clearProgress();
    this.stderr.write(`${this.paint('red', 'error')} ${text}\n`);
  }

  /** Rewrites the progress line on stderr; on a non-TTY stderr nothing is written (logs stay clean). */
  progress(text: string): void {
    if (!this.live) return;
    this.stderr.write(`\r\x1b[2K${this.paint('dim', text)}`);
    this.progressShown = true;
  }

  /** Removes the progress line. */
  clearProgress(): void {
    if (!this.progressShown) return;
    this.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }

  /** Prints rows as an aligned table, the first row as its header. */
  table(rows: readonly (readonly string[])[]): void {
    const width = (text: string) => stripVTControlCharacters(text).length;
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => width(row[column] ?? ''))));
    rows.forEach((row, index) => {
      const cells = row.map((cell, column) => cell + ' '.repeat(widths[column] - width(cell)));
      this.line(index === 0 ? this.paint('bold', cells.join('  ').trimEnd()) : cells.join('  ').trimEnd());
    });
  }
}
