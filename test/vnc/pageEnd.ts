/** The page's end of a relay for a test client: bytes the relay sent before the client listened are kept for it. */
import type { ByteLink } from './rfbClient';

export interface PageEnd {
  /** What the relay calls with bytes for the page. */
  readonly toPage: (bytes: Uint8Array) => void;
  /** The client's link, once the relay exists (its `fromPage`). */
  link(fromPage: (bytes: Uint8Array) => void): ByteLink;
}

export function pageEnd(): PageEnd {
  let early: Buffer[] = [];
  let deliver: ((b: Buffer) => void) | undefined;
  return {
    toPage: (b) => (deliver ? deliver(Buffer.from(b)) : void early.push(Buffer.from(b))),
    link: (fromPage) => ({
      send: fromPage,
      onData: (cb) => {
        deliver = cb;
        for (const b of early) cb(b);
        early = [];
      },
    }),
  };
}
