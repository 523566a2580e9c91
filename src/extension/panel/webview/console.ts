/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The console tab's page: noVNC's RFB client over a channel object that carries the RFB bytes through postMessage
 * to the extension host (which holds the real VNC connection; see src/libvirt/display/vncRelay.ts). A toolbar sends
 * what the editor would catch, types the clipboard, switches between fit and 1:1. Bundled by esbuild into dist/console-page.js.
 */
import RFB from '@novnc/novnc';
import { rfbBytes, type ConsoleKeys, type FromPage, type ToPage } from '../consoleProtocol';
import { keyFor, XK } from './consoleKeys';

declare function acquireVsCodeApi(): { postMessage(m: FromPage): void };
const host = acquireVsCodeApi();
const screen = document.getElementById('screen')!;
const status = document.getElementById('status')!;
let fit = document.body.dataset.fit !== 'false';

/** What noVNC's Websock needs of a WebSocket: bytes out through postMessage, bytes in from the host's messages. */
class HostChannel {
  binaryType = 'arraybuffer';
  protocol = '';
  readyState = 'open';
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((e: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;

  /** `id`: the host's connection this channel speaks to (the host drops the bytes of one it replaced). */
  constructor(private readonly id: number) {}

  send(data: ArrayBufferView | ArrayBuffer): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.readyState === 'open') host.postMessage({ type: 'rfb', id: this.id, data: bytes.slice() });
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    host.postMessage({ type: 'close', id: this.id });
    this.onclose?.({ code: 1000, reason: '', wasClean: true });
  }

  /** The host's connection ended. */
  ended(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.({ code: 1006, reason: 'the connection ended', wasClean: false });
  }
}

let rfb: RFB | undefined;
let channel: HostChannel | undefined;

function say(text: string, stopped = false): void {
  status.textContent = text;
  document.body.classList.toggle('stopped', stopped);
}

function connect(id: number): void {
  channel?.ended();
  rfb?.disconnect();
  screen.replaceChildren();
  channel = new HostChannel(id);
  rfb = new RFB(screen, channel, { shared: true });
  rfb.scaleViewport = fit;
  rfb.clipViewport = false;
  rfb.resizeSession = false;
  rfb.background = 'transparent';
  const mine = rfb;
  rfb.addEventListener('connect', () => {
    const c = canvas();
    say('Connected');
    host.postMessage({ type: 'state', connected: true, ...(c ? { width: c.width, height: c.height } : {}) });
    mine.focus();
  });
  rfb.addEventListener('disconnect', () => {
    if (rfb === mine) host.postMessage({ type: 'state', connected: false });
  });
}

function canvas(): HTMLCanvasElement | null {
  return screen.querySelector('canvas');
}

function sendKeys(keys: ConsoleKeys): void {
  if (!rfb) return;
  if (keys === 'ctrl-alt-del') return rfb.sendCtrlAltDel();
  const n = Number(keys.slice('ctrl-alt-f'.length));
  rfb.sendKey(XK.ControlL, 'ControlLeft', true);
  rfb.sendKey(XK.AltL, 'AltLeft', true);
  rfb.sendKey(XK.F1 + n - 1, `F${n}`, true);
  rfb.sendKey(XK.F1 + n - 1, `F${n}`, false);
  rfb.sendKey(XK.AltL, 'AltLeft', false);
  rfb.sendKey(XK.ControlL, 'ControlLeft', false);
}

function typeText(text: string): void {
  if (!rfb) return;
  let skipped = 0;
  for (const ch of text) {
    const k = keyFor(ch);
    if (!k) {
      skipped++;
      continue;
    }
    if (k.shift) rfb.sendKey(XK.ShiftL, 'ShiftLeft', true);
    rfb.sendKey(k.keysym, k.code, true);
    rfb.sendKey(k.keysym, k.code, false);
    if (k.shift) rfb.sendKey(XK.ShiftL, 'ShiftLeft', false);
  }
  if (skipped) say(`Typed the clipboard; ${skipped} character(s) without a key on a US keyboard were left out`);
}

function setFit(on: boolean): void {
  fit = on;
  document.body.classList.toggle('fit', on);
  if (rfb) rfb.scaleViewport = on;
  (document.getElementById('fit') as HTMLButtonElement).textContent = on ? '1:1' : 'Fit';
}

window.addEventListener('message', (e: MessageEvent<ToPage>) => {
  const m = e.data;
  switch (m.type) {
    case 'connect':
      say('Connecting…');
      return connect(m.id);
    case 'rfb': {
      const d = rfbBytes(m.data);
      channel?.onmessage?.({ data: d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer });
      return;
    }
    case 'stopped':
      channel?.ended();
      return say(m.text, true);
    case 'status':
      return say(m.text);
    case 'keys':
      return sendKeys(m.keys);
    case 'type':
      return typeText(m.text);
    case 'scale':
      return setFit(m.fit);
    case 'picture': {
      const c = canvas();
      const rgba = c ? c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data : new Uint8ClampedArray();
      const box = c?.getBoundingClientRect();
      const shown = { width: Math.round(box?.width ?? 0), height: Math.round(box?.height ?? 0) };
      host.postMessage({ type: 'picture', id: m.id, width: c?.width ?? 0, height: c?.height ?? 0, rgba: new Uint8Array(rgba.buffer), shown, room: { width: screen.clientWidth, height: screen.clientHeight } });
      return;
    }
  }
});

for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-keys]')) {
  b.onclick = () => {
    sendKeys(b.dataset.keys as ConsoleKeys);
    rfb?.focus();
  };
}
document.getElementById('reconnect')!.onclick = () => host.postMessage({ type: 'reconnect' });
document.getElementById('clipboard')!.onclick = () => host.postMessage({ type: 'typeClipboard' });
document.getElementById('fit')!.onclick = () => {
  setFit(!fit);
  host.postMessage({ type: 'scale', fit });
};
(document.getElementById('fkeys') as HTMLSelectElement).onchange = (e) => {
  const s = e.target as HTMLSelectElement;
  if (s.value) sendKeys(s.value as ConsoleKeys);
  s.value = '';
  rfb?.focus();
};
window.addEventListener('error', (e) => host.postMessage({ type: 'error', text: String(e.error?.stack ?? e.message) }));
window.addEventListener('unhandledrejection', (e) => host.postMessage({ type: 'error', text: String((e.reason as Error | undefined)?.stack ?? e.reason) }));
setFit(fit);
host.postMessage({ type: 'ready' });
