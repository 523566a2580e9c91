/**
 * "Show screen": a clone's display as an image in an editor tab (a webview), taken with `virsh screenshot`, which
 * libvirt streams to the client, so it works headless and over remote connections. One tab per clone; its
 * Refresh button and the editor-title Refresh action take a new picture. The PNG stays in a private temporary
 * directory (one file per clone) while the tab is open.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { screenshot, type Virsh } from '../../libvirt/display';
import type { PictureInfo } from '../../libvirt/display';

export const SCREEN_VIEW_TYPE = 'qq2clone.screen';

export interface ScreenTarget {
  /** virsh on the current connection (asked at each picture: the service changes with the settings). */
  readonly virsh: () => Virsh;
  readonly uuid: string;
  readonly name: string;
}

/** What a capture produced (tests check the file). */
export interface ScreenShot {
  readonly file: string;
  readonly info: PictureInfo;
  readonly takenAt: Date;
}

let dir: string | undefined;
const panels = new Map<string, ScreenPanel>();

function screensDir(): string {
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-screens-'));
    const made = dir;
    process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}


class ScreenPanel {
  readonly panel: vscode.WebviewPanel;
  readonly file: string;
  private last: ScreenShot | undefined;

  constructor(readonly target: ScreenTarget) {
    this.file = path.join(screensDir(), `${target.uuid}.png`);
    this.panel = vscode.window.createWebviewPanel(SCREEN_VIEW_TYPE, `Screen: ${target.name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    this.panel.iconPath = new vscode.ThemeIcon('device-desktop');
    this.panel.webview.onDidReceiveMessage((m: { type?: string }) => {
      if (m.type === 'refresh') void this.refresh().catch(() => undefined);
    });
    this.panel.onDidDispose(() => {
      panels.delete(target.uuid);
      fs.rmSync(this.file, { force: true });
    });
  }

  get lastShot(): ScreenShot | undefined {
    return this.last;
  }

  /** Takes a new picture and shows it; on failure shows the error in the tab and rethrows. */
  async refresh(signal?: AbortSignal): Promise<ScreenShot> {
    try {
      const info = await screenshot(this.target.virsh(), this.target.uuid, this.file, signal);
      this.last = { file: this.file, info, takenAt: new Date() };
      const png = await fs.promises.readFile(this.file);
      this.render(`data:image/png;base64,${png.toString('base64')}`, `${info.width}×${info.height}, ${this.last.takenAt.toLocaleTimeString()}`);
      return this.last;
    } catch (e) {
      this.render(undefined, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private render(image: string | undefined, caption: string): void {
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const nonce = Math.random().toString(36).slice(2);
    this.panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>body{padding:8px;font-family:var(--vscode-font-family)} img{max-width:100%;image-rendering:pixelated;border:1px solid var(--vscode-panel-border)}
header{display:flex;gap:12px;align-items:center;margin-bottom:8px} .err{color:var(--vscode-errorForeground)}</style></head><body>
<header><strong>${esc(this.target.name)}</strong><span class="${image ? '' : 'err'}">${esc(caption)}</span>
<button id="r">Refresh</button></header>
${image ? `<img alt="screen of ${esc(this.target.name)}" src="${image}">` : ''}
<script nonce="${nonce}">const vs=acquireVsCodeApi();document.getElementById('r').onclick=()=>vs.postMessage({type:'refresh'});</script>
</body></html>`;
  }
}

/** Opens (or reveals) the clone's screen tab and takes a picture. */
export async function showScreen(target: ScreenTarget, signal?: AbortSignal): Promise<ScreenShot> {
  const open = panels.get(target.uuid);
  if (open) {
    open.panel.reveal();
    return open.refresh(signal);
  }
  const p = new ScreenPanel(target);
  panels.set(target.uuid, p);
  try {
    return await p.refresh(signal);
  } catch (e) {
    p.panel.dispose(); // nothing to show: the caller reports why
    throw e;
  }
}

/** Refreshes the screen tab of this clone, or the active one; undefined when there is none. */
export async function refreshScreen(uuid?: string): Promise<ScreenShot | undefined> {
  const p = uuid ? panels.get(uuid) : [...panels.values()].find((x) => x.panel.active);
  return p?.refresh();
}

/** The open screen tabs (tests). */
export function openScreens(): { uuid: string; panel: vscode.WebviewPanel; last: ScreenShot | undefined }[] {
  return [...panels.entries()].map(([uuid, p]) => ({ uuid, panel: p.panel, last: p.lastShot }));
}
