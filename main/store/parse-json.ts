import { StoreError } from './errors.js';
import { messageOf } from '../util/message-of.js';

/** JSON.parse that tells a cut-off file (crash, full disk, partial copy) from other damage. */
export function parseJson(text: string, where: string): unknown {
  if (text.trim().length === 0) throw new StoreError('truncated', `${where}: file is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = messageOf(error);
    if (/end of JSON input|Unterminated string/i.test(message)) {
      throw new StoreError('truncated', `${where}: file ends early (truncated)`, { cause: error });
    }
    throw new StoreError('corrupt', `${where}: not valid JSON (${message})`, { cause: error });
  }
}
