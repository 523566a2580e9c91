/**
 * The messages between the console tab's page (src/webview/console.ts, noVNC) and the extension host
 * (src/console/panel.ts). RFB bytes travel in `rfb` messages both ways; no password and no address ever go to the
 * page. Both the page's bundle and the extension use this file (types, and how to read the bytes of a message).
 */

/** Key combinations the toolbar sends (the editor would catch them). */
export type ConsoleKeys = 'ctrl-alt-del' | `ctrl-alt-f${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12}`;

/** The host's messages to the page. */
export type ToPage =
  /** A new connection is ready: the page makes a new RFB client over its channel, whose bytes carry this id. */
  | { readonly type: 'connect'; readonly id: number }
  | { readonly type: 'rfb'; readonly data: Uint8Array }
  /** The connection ended (the guest stopped...): say so and wait. */
  | { readonly type: 'stopped'; readonly text: string }
  | { readonly type: 'status'; readonly text: string }
  | { readonly type: 'keys'; readonly keys: ConsoleKeys }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'scale'; readonly fit: boolean }
  /** Send back what the canvas shows (a `picture`). */
  | { readonly type: 'picture'; readonly id: number };

/** The page's messages to the host. */
export type FromPage =
  | { readonly type: 'ready' }
  /** Bytes of the page's client on the connection `id` (the host drops those of a connection it replaced). */
  | { readonly type: 'rfb'; readonly id: number; readonly data: Uint8Array }
  /** The page's RFB client closed its channel. */
  | { readonly type: 'close'; readonly id: number }
  /** noVNC's state: connected, or disconnected with whether it was clean. */
  | { readonly type: 'state'; readonly connected: boolean; readonly width?: number; readonly height?: number }
  | { readonly type: 'typeClipboard' }
  /** An error the page's script met (noVNC's, or the channel's). */
  | { readonly type: 'error'; readonly text: string }
  /** The toolbar's Reconnect. */
  | { readonly type: 'reconnect' }
  | { readonly type: 'keys'; readonly keys: ConsoleKeys }
  | { readonly type: 'scale'; readonly fit: boolean }
  /** The canvas: its size, RGBA pixels, and the size it is shown at in the tab (CSS pixels: scaled, or 1:1). */
  | {
      readonly type: 'picture';
      readonly id: number;
      readonly width: number;
      readonly height: number;
      readonly rgba: Uint8Array;
      readonly shown: { readonly width: number; readonly height: number };
      /** The room the tab gives the screen (CSS pixels). */
      readonly room: { readonly width: number; readonly height: number };
    };

/**
 * The bytes of an `rfb` message as they arrived: a typed array or ArrayBuffer, or what a transport made of one
 * (a plain array, or an object with numeric keys).
 */
export function rfbBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  if (data && typeof data === 'object') return Uint8Array.from(Object.values(data as Record<string, number>));
  return new Uint8Array();
}
