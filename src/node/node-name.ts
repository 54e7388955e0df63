/** Node names: what `?node=NAME` may hold (it names the IndexedDB database). */
import { InvalidIdError } from '../core/errors.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Validates a node name from the URL. */
export function parseNodeName(text: string): string {
  if (!NAME_RE.test(text)) {
    throw new InvalidIdError(`"${text}" is not a valid node name: use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit`);
  }
  return text;
}
