/**
 * A write that failed because the storage is full says so, with the space left and what to do, instead of only
 * the system's "No space left on device".
 */
import type { ImageStore } from './imageStore';

const NO_SPACE = /ENOSPC|No space left on device/i;

function mib(bytes: number): string {
  return bytes >= 10 << 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.floor(bytes / 2 ** 20)} MiB`;
}

/**
 * `e` with a sentence on the space left in `dir` when it is a full-storage failure (the message is extended in
 * place, the error kept); any other error unchanged.
 */
export async function explainNoSpace<E>(e: E, images: Pick<ImageStore, 'freeSpace'>, dir: string): Promise<E> {
  const err = e as { message?: unknown; code?: unknown };
  if (!(e instanceof Error) || !(NO_SPACE.test(String(err.message)) || err.code === 'ENOSPC')) return e;
  const free = await images.freeSpace(dir).then(mib, () => undefined);
  e.message +=
    ` The storage ${dir} is full${free === undefined ? '' : ` (${free} free)`}: free some space there, or use a ` +
    `location with room (--storage for one command, or qq2clone config edit STORAGE).`;
  return e;
}
