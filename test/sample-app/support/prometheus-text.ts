/** One sample of the Prometheus text format: `name{label="value",…} value`. */
export interface PrometheusSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples named `name` in a Prometheus text exposition whose labels include `labels`. */
export function samplesOf(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): PrometheusSample[] {
  return exposition.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) return [];
    const found: Record<string, string> = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    const matches = Object.entries(labels).every(([key, value]) => found[key] === value);
    return matches ? [{ labels: found, value: Number(match[3]) }] : [];
  });
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
export const sumOf = (exposition: string, name: string, labels: Record<string, string> = {}): number =>
  samplesOf(exposition, name, labels).reduce((total, sample) => total + sample.value, 0);
