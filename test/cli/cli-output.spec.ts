import { describe, expect, it } from '@jest/globals';
import { stripVTControlCharacters } from 'node:util';
import { CliOutput } from '../../libs/pathors/src/cli/cli-output.js';

/** A stream that records what was written, a TTY or not. */
const stream = (isTTY: boolean) => {
  const chunks: string[] = [];
  const fake = { isTTY, write: (chunk: string) => chunks.push(chunk) > 0 };
  return { fake: fake as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
};

describe('CliOutput', () => {
  it('colours status codes and shows a progress line on a terminal', () => {
    const [stdout, stderr] = [stream(true), stream(true)];
    const out = new CliOutput(stdout.fake, stderr.fake, {});
    out.progress('simulate: 3/10 sessions');
    out.line(`${out.status(200)} ${out.status(401)}`);
    expect(stdout.text()).toBe('\x1b[32m200\x1b[39m \x1b[31m401\x1b[39m\n');
    // The progress line is drawn, then cleared before the next line of output.
    expect(stderr.text()).toContain('\r\x1b[2K');
    expect(stderr.text()).toContain('simulate: 3/10 sessions');
    expect(stderr.text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('writes plain text and no progress line when not on a terminal, or with NO_COLOR', () => {
    const [stdout, stderr] = [stream(false), stream(false)];
    const out = new CliOutput(stdout.fake, stderr.fake, {});
    out.progress('replaying 1/2');
    out.line(out.status(500));
    expect(stdout.text()).toBe('500\n');
    expect(stderr.text()).toBe('');

    const tty = stream(true);
    const noColor = new CliOutput(tty.fake, stream(true).fake, { NO_COLOR: '1' });
    noColor.line(noColor.status(200));
    expect(tty.text()).toBe('200\n');
  });

  it('aligns table columns on the visible width of coloured cells', () => {
    const stdout = stream(true);
    const out = new CliOutput(stdout.fake, stream(false).fake, {});
    out.table([
      ['event', 'codes'],
      ['call.ended', out.status(200)],
    ]);
    const lines = stripVTControlCharacters(stdout.text()).split('\n');
    expect(lines.slice(0, 2)).toEqual(['event       codes', 'call.ended  200']);
  });
});
