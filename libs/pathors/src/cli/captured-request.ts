import { readFile } from 'node:fs/promises';
import { usageError } from './cli-exit-codes.js';

/** A webhook request as captured for `verify`: header names in lower case, the body as the exact bytes received. */
export interface CapturedRequest {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes as received. */
  readonly body: Buffer;
  /** Set when the capture held the body as JSON rather than bytes, so a signature cannot be checked reliably. */
  readonly bodyReserialized: boolean;
}

const lowerCaseHeaders = (headers: Record<string, unknown>, file: string): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const single = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof single !== 'string' && typeof single !== 'number') {
      throw usageError(`${file}: header "${name}" must be a string`);
    }
    result[name.toLowerCase()] = String(single);
  }
  return result;
};

function fromJson(text: string, file: string): CapturedRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError(`${file} is neither JSON ({ "headers", "body" }) nor a raw HTTP request`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof record.headers !== 'object' || record.headers === null || Array.isArray(record.headers)) {
    throw usageError(`${file}: "headers" must be an object of header names to values`);
  }
  const headers = lowerCaseHeaders(record.headers as Record<string, unknown>, file);
  if (typeof record.bodyBase64 === 'string') {
    return { headers, body: Buffer.from(record.bodyBase64, 'base64'), bodyReserialized: false };
  }
  if (typeof record.body === 'string')
    return { headers, body: Buffer.from(record.body), bodyReserialized: false };
  if (typeof record.body === 'object' && record.body !== null) {
    return { headers, body: Buffer.from(JSON.stringify(record.body)), bodyReserialized: true };
  }
  throw usageError(`${file}: give the body as "body" (the exact text received) or "bodyBase64"`);
}

function fromHttp(raw: Buffer, file: string): CapturedRequest {
  const separator = raw.indexOf('\r\n\r\n') >= 0 ? '\r\n\r\n' : '\n\n';
  const end = raw.indexOf(separator);
  const head = (end >= 0 ? raw.subarray(0, end) : raw).toString('latin1').split(/\r?\n/);
  if (!/^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/.test(head[0] ?? '')) {
    throw usageError(
      `${file} is neither JSON ({ "headers", "body" }) nor a raw HTTP request ("POST /path HTTP/1.1")`,
    );
  }
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw usageError(`${file}: malformed header line "${line.slice(0, 60)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = end >= 0 ? raw.subarray(end + separator.length) : Buffer.alloc(0);
  return { headers, body, bodyReserialized: false };
}

/**
 * Reads a captured request: either JSON `{ "headers": {…}, "body": "<exact body text>" }` (or `"bodyBase64"`), or a
 * raw HTTP/1.1 request as a proxy or `nc -l` prints it (request line, headers, blank line, body).
 */
export async function readCapturedRequest(file: string): Promise<CapturedRequest> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    throw usageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return raw.toString('utf8').trimStart().startsWith('{')
    ? fromJson(raw.toString('utf8'), file)
    : fromHttp(raw, file);
}
