/**
 * The graphical console of a clone in an editor tab: the page runs noVNC (dist/console-page.js), the extension
 * host holds the VNC connection (libvirt/display/vncRelay.ts) and relays the RFB bytes through postMessage; nothing
 * listens on any port. One tab per clone; when the connection ends (the guest stopped) the tab says so and connects
 * again when the clone's lifecycle event says it runs (and, in case an event was missed, every 15 s); closing the tab
 * closes the connection.
 */
import * as vscode from 'vscode';
import type { LibvirtService } from '../../libvirt/api';
import { vncDisplay, VncRelay } from '../../libvirt/display';
import { rfbBytes, type ConsoleKeys, type FromPage, type ToPage } from './consoleProtocol';

export const CONSOLE_VIEW_TYPE = 'qq2clone.console';
/** How long a stopped tab waits before it tries again by itself (the clone's Started event comes first when it runs). */
export const CONSOLE_RETRY_MS = 15_000;
const RUNS_AGAIN = /^(Started|Resumed)$/i;

export interface ConsoleTarget {
  /** The service of the current connection (asked at each connection: it changes with the settings). */
  readonly service: () => LibvirtService;
  readonly uuid: string;
  readonly name: string;
  /** Where the page's errors are logged. */
  readonly log?: (line: string) => void;
}

export type ConsoleState = 'connecting' | 'connected' | 'stopped' | 'closed';

/** What the canvas showed. */
export interface ConsolePicture {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly rgba: Uint8Array;
  /** The size it is shown at in the tab: scaled to the tab (fit), or the canvas size (1:1). */
  readonly shown: { readonly width: number; readonly height: number };
  /** The room the tab gives the screen. */
  readonly room: { readonly width: number; readonly height: number };
}

const tabs = new Map<string, ConsoleTab>();

/** One console tab: its page, its connection and its state. */
export class ConsoleTab {
  readonly panel: vscode.WebviewPanel;
  private relay: VncRelay | undefined;
  private current: ConsoleState = 'connecting';
  private why = '';
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private disposed = false;
  private readonly events: { dispose(): void };
  private pictures = new Map<number, (p: ConsolePicture) => void>();
  private nextPicture = 0;
  private readonly changed = new vscode.EventEmitter<ConsoleState>();
  /** Fires as the state changes. */
  readonly onDidChangeState = this.changed.event;
  /** RFB messages and bytes relayed each way (what a stuck handshake is diagnosed with). */
  readonly traffic = { toPage: 0, bytesToPage: 0, fromPage: 0, bytesFromPage: 0 };
  /** Errors the page's script reported (the last few), for the log and a stuck connection's diagnosis. */
  readonly pageErrors: string[] = [];
  /** Whether the screen is scaled to the tab (else 1:1); the toolbar switches it. */
  scaled: boolean;
  /** The canvas size the page reported at its last connection. */
  size: { width: number; height: number } | undefined;

  constructor(
    readonly target: ConsoleTarget,
    extensionUri: vscode.Uri,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel(CONSOLE_VIEW_TYPE, `Console: ${target.name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [dist],
    });
    this.panel.iconPath = new vscode.ThemeIcon('vm');
    this.scaled = vscode.workspace.getConfiguration('qq2clone').get<string>('consoleScale', 'fit') !== '1:1';
    this.panel.webview.html = pageHtml(this.panel.webview, vscode.Uri.joinPath(dist, 'console-page.js'), target.name, this.scaled);
    this.panel.webview.onDidReceiveMessage((m: FromPage) => this.fromPage(m));
    this.panel.onDidDispose(() => this.dispose());
    this.events = target.service().onEvent((e) => {
      if (e.domain === target.name && RUNS_AGAIN.test(e.event.trim()) && this.current === 'stopped') void this.connect();
    });
  }

  get state(): ConsoleState {
    return this.current;
  }

  /** How many times the tab has opened a connection to the display. */
  get connections(): number {
    return this.attempt;
  }

  /** Why the tab is stopped (or why the last attempt failed). */
  get reason(): string {
    return this.why;
  }

  /** Resolves when the tab reaches `state` (at once when it is there). */
  whenState(state: ConsoleState): Promise<void> {
    if (this.current === state) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = this.onDidChangeState((s) => {
        if (s !== state) return;
        sub.dispose();
        resolve();
      });
    });
  }

  /** What the canvas shows now. */
  picture(): Promise<ConsolePicture> {
    const id = ++this.nextPicture;
    return new Promise((resolve) => {
      this.pictures.set(id, resolve);
      this.post({ type: 'picture', id });
    });
  }

  /** Sends a key combination the editor would catch (toolbar, editor title). */
  sendKeys(keys: ConsoleKeys): void {
    this.post({ type: 'keys', keys });
  }

  /** Drops the connection and opens a new one. */
  reconnect(): void {
    this.setState('connecting');
    void this.connect();
  }

  /** Scales the screen to the tab, or shows it 1:1 with scroll bars (what the toolbar's button switches). */
  scale(fit: boolean): void {
    this.scaled = fit;
    this.post({ type: 'scale', fit });
  }

  /** Types text into the guest, key by key. */
  type(text: string): void {
    this.post({ type: 'type', text });
  }

  private post(m: ToPage): void {
    void this.panel.webview.postMessage(m);
  }

  private setState(s: ConsoleState, why = ''): void {
    this.why = why;
    if (s === this.current) return;
    this.current = s;
    this.changed.fire(s);
  }

  private fromPage(m: FromPage): void {
    switch (m.type) {
      case 'ready':
        return void this.connect();
      case 'rfb': {
        if (m.id !== this.attempt) return;
        const bytes = rfbBytes(m.data);
        this.traffic.fromPage++;
        this.traffic.bytesFromPage += bytes.length;
        return this.relay?.fromPage(bytes);
      }
      case 'close':
        return m.id === this.attempt ? this.relay?.close() : undefined;
      case 'state':
        if (m.connected && m.width && m.height) this.size = { width: m.width, height: m.height };
        if (m.connected) this.setState('connected');
        return;
      case 'typeClipboard':
        return void vscode.env.clipboard.readText().then((t) => this.type(t));
      case 'keys':
        return this.sendKeys(m.keys);
      case 'reconnect':
        return this.reconnect();
      case 'error':
        this.pageErrors.push(m.text);
        this.pageErrors.splice(0, Math.max(0, this.pageErrors.length - 10));
        return void this.target.log?.(`console of ${this.target.name}: ${m.text}`);
      case 'scale':
        this.scaled = m.fit;
        return;
      case 'picture':
        this.pictures.get(m.id)?.({ width: m.width, height: m.height, rgba: rfbBytes(m.rgba), shown: m.shown, room: m.room });
        this.pictures.delete(m.id);
        return;
    }
  }

  /** Opens the VNC connection; when the guest is not running (or the connection fails), tries again later. */
  private async connect(): Promise<void> {
    if (this.disposed) return;
    // A retry planned when the last connection ended is not wanted once this attempt runs (the Started event came first).
    clearTimeout(this.retry);
    this.relay?.close();
    this.relay = undefined;
    const attempt = ++this.attempt;
    try {
      const display = await vncDisplay(this.target.service(), this.target.uuid);
      // A later attempt began meanwhile (a start brings a Resumed and a Started event): the page is that one's alone.
      if (attempt !== this.attempt) return;
      this.post({ type: 'connect', id: attempt });
      const relay = await VncRelay.open(
        display,
        (data) => {
          // The bytes of a superseded attempt would break the handshake of the page's current client.
          if (attempt !== this.attempt) return;
          this.traffic.toPage++;
          this.traffic.bytesToPage += data.length;
          // A copy as a plain Uint8Array: VS Code carries typed arrays to the page as bytes, but a Node Buffer as the
          // JSON of its toJSON() ({type: 'Buffer', data: [...]}), which the page would not read as RFB bytes.
          this.post({ type: 'rfb', data: new Uint8Array(data) });
        },
        (why) => {
          if (this.relay === relay) this.lost(`The connection ended: ${why ?? 'closed'}. The guest may have stopped; the console reconnects when it runs again.`);
        },
      );
      if (this.disposed || attempt !== this.attempt) return relay.close();
      this.relay = relay;
    } catch (e) {
      if (attempt === this.attempt) this.lost(`${this.target.name}: ${e instanceof Error ? e.message : String(e)}. The console connects again when it runs.`);
    }
  }

  private lost(text: string): void {
    if (this.disposed) return;
    this.relay = undefined;
    this.setState('stopped', text);
    this.post({ type: 'stopped', text });
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), CONSOLE_RETRY_MS);
  }

  private dispose(): void {
    this.disposed = true;
    this.setState('closed');
    clearTimeout(this.retry);
    this.events.dispose();
    this.relay?.close();
    this.relay = undefined;
    tabs.delete(this.target.uuid);
    this.changed.dispose();
  }
}

function pageHtml(webview: vscode.Webview, script: vscode.Uri, name: string, fit: boolean): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const fkeys = Array.from({ length: 12 }, (_, i) => `<option value="ctrl-alt-f${i + 1}">Ctrl+Alt+F${i + 1}</option>`).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; script-src ${webview.cspSource};">
<style>
html,body{height:100%;margin:0;padding:0;overflow:hidden}
body{display:flex;flex-direction:column;font-family:var(--vscode-font-family);font-size:var(--vscode-font-size)}
header{display:flex;gap:6px;align-items:center;padding:4px 8px;border-bottom:1px solid var(--vscode-panel-border)}
header strong{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:3em}
button,select{background:var(--vscode-button-secondaryBackground);color:var(--vscode-button-secondaryForeground);border:none;padding:2px 8px;white-space:nowrap;flex:none}
#status{margin-left:auto;opacity:.8} body.stopped #status{color:var(--vscode-errorForeground);opacity:1}
#screen{flex:1;overflow:auto;background:#000} body.fit #screen{overflow:hidden}
body.stopped #screen{opacity:.4}
</style></head><body class="${fit ? 'fit' : ''}" data-fit="${fit}">
<header><strong title="${esc(name)}">${esc(name)}</strong>
<button data-keys="ctrl-alt-del" title="Send Ctrl+Alt+Del to the guest">Ctrl+Alt+Del</button>
<select id="fkeys" title="Send Ctrl+Alt+F1..F12 (switch virtual terminal)"><option value="">Ctrl+Alt+F…</option>${fkeys}</select>
<button id="reconnect" title="Drop the connection and open a new one">Reconnect</button>
<button id="clipboard" title="Type the text of the clipboard into the guest">Type Clipboard</button>
<button id="fit" title="Scale the screen to the tab, or show it 1:1 with scroll bars">1:1</button>
<span id="status">Connecting…</span></header>
<div id="screen"></div>
<script src="${webview.asWebviewUri(script).toString()}"></script>
</body></html>`;
}

/** Opens (or reveals) the console tab of a clone. */
export function openConsoleTab(target: ConsoleTarget, extensionUri: vscode.Uri): ConsoleTab {
  const open = tabs.get(target.uuid);
  if (open) {
    open.panel.reveal();
    return open;
  }
  const tab = new ConsoleTab(target, extensionUri);
  tabs.set(target.uuid, tab);
  return tab;
}

/** The console tab in front, if any. */
export function activeConsoleTab(): ConsoleTab | undefined {
  return [...tabs.values()].find((t) => t.panel.active) ?? (tabs.size === 1 ? [...tabs.values()][0] : undefined);
}
