/**
 * The page leg of the console benchmark: the real console page bundle (dist/console-page.js, noVNC) in headless
 * Chromium, its `acquireVsCodeApi().postMessage` carried to the relay through a page binding and the relay's bytes
 * carried to the page as window `message` events (what the webview's postMessage does in desktop VS Code and in
 * code-server: a hop out of the page's process and back). Measured in the page's own clock: from the key sent into
 * the channel (the `type` message the host posts, as the tab's `type()` does) to the first drawing of the visible
 * canvas that changed its pixels; and from a full-screen update request the page sends into the channel to the
 * drawing of the whole screen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../test/harness/browser';
import { VncRelay, type VncDisplay } from '../src/libvirt/display';

const ORIGIN = 'http://console.bench';

/** The tab's page, with the ids the bundle looks for (src/extension/panel/consoleTab.ts, pageHtml). */
const HTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column}
#screen{flex:1;overflow:auto;background:#000}</style></head><body data-fit="false">
<header><button data-keys="ctrl-alt-del">Ctrl+Alt+Del</button><select id="fkeys"><option value=""></option></select>
<button id="reconnect">Reconnect</button><button id="clipboard">Type Clipboard</button><button id="fit">1:1</button><span id="status"></span></header>
<div id="screen"></div><script src="${ORIGIN}/console-page.js"></script></body></html>`;

/**
 * Runs in the page before the bundle: the webview API (posts go to the `toHost` binding), and a watch on the visible
 * canvas's drawings (noVNC's Display.flip draws its back buffer onto it) that times the measurements.
 */
function pageSetup(): void {
  type Win = typeof window & {
    toHost(m: unknown): void;
    bench: {
      bytesIn: number;
      key(text: string): Promise<{ ms: number; arrived: number }>;
      ping(): Promise<number>;
      full(): Promise<{ ms: number; wireBytes: number }>;
    };
  };
  const w = window as Win;
  (w as unknown as { acquireVsCodeApi(): unknown }).acquireVsCodeApi = () => ({
    postMessage: (m: { type: string; data?: Uint8Array }) =>
      w.toHost(m.type === 'rfb' && m.data ? { type: 'rfb', data: btoa(String.fromCharCode(...m.data)) } : m),
  });
  let onPong: (() => void) | undefined;
  /** When the last rfb message reached the page (this listener runs before the bundle's, which draws). */
  let lastIn = 0;
  let onDraw: ((ctx: CanvasRenderingContext2D, w: number, h: number) => void) | undefined;
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (this: CanvasRenderingContext2D, ...a: unknown[]) {
    (draw as (...x: unknown[]) => void).apply(this, a);
    // The visible canvas is the one in the page (the back buffer is not attached).
    if (onDraw && this.canvas.isConnected && a.length === 9) onDraw(this, a[3] as number, a[4] as number);
  } as typeof draw;
  const visible = (): HTMLCanvasElement => document.querySelector('#screen canvas')!;
  const pixels = (c: HTMLCanvasElement): Uint8ClampedArray => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  const same = (a: Uint8ClampedArray, b: Uint8ClampedArray): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  w.bench = {
    bytesIn: 0,
    key: (text) =>
      new Promise((resolve) => {
        const before = pixels(visible());
        const t = performance.now();
        onDraw = (ctx) => {
          if (same(before, pixels(ctx.canvas))) return;
          onDraw = undefined;
          resolve({ ms: performance.now() - t, arrived: lastIn - t });
        };
        // What the host's `type` message does: the page's noVNC sends the key events into the channel.
        window.postMessage({ type: 'type', text }, '*');
      }),
    ping: () =>
      new Promise((resolve) => {
        const t = performance.now();
        onPong = () => resolve(performance.now() - t);
        w.toHost({ type: 'ping' });
      }),
    full: () =>
      new Promise((resolve) => {
        const c = visible();
        const req = new Uint8Array(10);
        new DataView(req.buffer).setUint8(0, 3); // FramebufferUpdateRequest, not incremental, the whole screen
        new DataView(req.buffer).setUint16(6, c.width);
        new DataView(req.buffer).setUint16(8, c.height);
        const bytes0 = w.bench.bytesIn;
        const t = performance.now();
        onDraw = (_ctx, dw, dh) => {
          if (dw < c.width || dh < c.height) return;
          onDraw = undefined;
          resolve({ ms: performance.now() - t, wireBytes: w.bench.bytesIn - bytes0 });
        };
        w.toHost({ type: 'rfb', data: btoa(String.fromCharCode(...req)) });
      }),
  };
  window.addEventListener('message', (e: MessageEvent<{ type: string; data?: Uint8Array }>) => {
    if (e.data.type === 'rfb' && e.data.data) {
      w.bench.bytesIn += e.data.data.length;
      lastIn = performance.now();
    }
    if (e.data.type === 'pong') onPong?.();
  });
}

/** The page and its relay to the display. */
export class ConsolePage {
  private relay: VncRelay | undefined;
  private posting: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ctx: BrowserContext,
    readonly page: Page,
  ) {}

  /** Opens Chromium on the page and connects it to `display` through a relay, as the tab does on the page's `ready`. */
  static async open(display: VncDisplay, dist: string, profile: string): Promise<ConsolePage> {
    const ctx = await launchBrowser(profile);
    const page = await ctx.newPage();
    const p = new ConsolePage(ctx, page);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    await page.exposeFunction('toHost', (m: { type: string; data?: string }) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'ping') p.post({ type: 'pong' });
      else if (m.type === 'rfb' && m.data) p.relay?.fromPage(Buffer.from(m.data, 'base64'));
      else if (m.type === 'error') console.error(`page: ${JSON.stringify(m)}`);
    });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    // As source text: tsx names the functions it compiles through a helper (__name) the page lacks; it is given one.
    await page.addInitScript({ content: `var __name = (f) => f;\n(${pageSetup.toString()})();` });
    await page.route(`${ORIGIN}/**`, (r) =>
      r.request().url().endsWith('/console-page.js')
        ? r.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(path.join(dist, 'console-page.js'), 'utf8') })
        : r.fulfill({ contentType: 'text/html', body: HTML }),
    );
    await page.goto(`${ORIGIN}/`);
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the console page did not say ready within 60 s')), 60_000).unref());
    await Promise.race([isReady, late]);
    p.post({ type: 'connect', id: 1 });
    p.relay = await VncRelay.open(display, (b) => p.post({ type: 'rfb', data: Buffer.from(b).toString('base64') }), () => undefined);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Connected', undefined, { timeout: 60_000 });
    return p;
  }

  /** A host message to the page, in order (base64 `data` becomes the bytes the page reads). */
  private post(m: { type: string; id?: number; data?: string }): void {
    this.posting = this.posting.then(() =>
      this.page.evaluate((msg) => {
        const data = msg.data === undefined ? undefined : Uint8Array.from(atob(msg.data), (ch) => ch.charCodeAt(0));
        window.postMessage(data ? { type: msg.type, data } : { ...msg }, '*');
      }, m),
    );
  }

  /** ms from the key sent into the channel to changed pixels on the page's canvas, and to the arrival of the bytes drawn. */
  key(text: string): Promise<{ ms: number; arrived: number }> {
    return this.page.evaluate(
      (t) => (window as unknown as { bench: { key(t: string): Promise<{ ms: number; arrived: number }> } }).bench.key(t),
      text,
    );
  }

  /** ms for a message from the page to the host and one back: the channel's own cost. */
  ping(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { bench: { ping(): Promise<number> } }).bench.ping());
  }

  /** A full-screen update asked by the page: ms to its drawing, and bytes that crossed the channel meanwhile. */
  full(): Promise<{ ms: number; wireBytes: number }> {
    return this.page.evaluate(() => (window as unknown as { bench: { full(): Promise<{ ms: number; wireBytes: number }> } }).bench.full());
  }

  /** The canvas size. */
  size(): Promise<{ width: number; height: number }> {
    return this.page.evaluate(() => {
      const c = document.querySelector('#screen canvas') as HTMLCanvasElement;
      return { width: c.width, height: c.height };
    });
  }

  async close(): Promise<void> {
    this.relay?.close();
    await this.ctx.close();
  }
}
