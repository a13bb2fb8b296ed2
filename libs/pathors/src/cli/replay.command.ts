import { readFile } from 'node:fs/promises';
import {
  parseDeliveryRecordLine,
  type PathorsDeliveryRecordLine,
} from '../delivery/pathors-delivery-record.js';
import { usageError } from './cli-exit-codes.js';

/** One recorded delivery of a JSON Lines file, with its line number. */
export interface ReplayEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The recorded delivery. */
  readonly record: PathorsDeliveryRecordLine;
}

/**
 * Reads a JSON Lines file of recorded deliveries, the format `PathorsDeadLetterService.exportJsonLines()` writes
 * (`{ idempotencyKey, eventName, receivedAt, headers, body, deadLetter? }` per line). Every line is checked before
 * anything is sent; blank lines are skipped.
 */
export async function readReplayFile(file: string): Promise<ReplayEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const entries: ReplayEntry[] = [];
  text.split('\n').forEach((content, index) => {
    if (content.trim() === '') return;
    try {
      entries.push({ line: index + 1, record: parseDeliveryRecordLine(content) });
    } catch (error) {
      throw usageError(`${file}:${index + 1}: ${(error as Error).message}; nothing was sent`);
    }
  });
  if (entries.length === 0) throw usageError(`${file} holds no delivery (one JSON object per line expected)`);
  return entries;
}
