/**
 * The usage panel: a webview with line charts (uPlot, bundled into dist/usage-panel.js; no network) of each running
 * clone's CPU, memory, disk and network use over the last minutes and of the host's CPU and memory, fed by the
 * tree's usage poller (which reads while the panel is visible). Clicking a clone selects it in the tree.
 */
import * as vscode from 'vscode';
import type { TreeApi } from '../tree';
import { cloneLabel } from '../tree/presentation';
import { usageFrame, type FramesMessage, type SelectMessage } from './usageFrames';

export class UsagePanel implements vscode.Disposable {
  private static current: UsagePanel | undefined;
  private readonly subs: vscode.Disposable[] = [];
  /** Messages posted to the webview (tests read the last one). */
  posted = 0;

  /** Opens the panel, or shows the one already open. */
  static show(extensionUri: vscode.Uri, tree: TreeApi): UsagePanel {
    if (UsagePanel.current) {
      UsagePanel.current.panel.reveal();
      return UsagePanel.current;
    }
    const panel = vscode.window.createWebviewPanel('qq2clone.usage', 'qq2clone Usage', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      retainContextWhenHidden: false,
    });
    UsagePanel.current = new UsagePanel(panel, extensionUri, tree);
    return UsagePanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly tree: TreeApi,
  ) {
    const web = panel.webview;
    const js = web.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'usage-panel.js'));
    const css = web.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'usage-panel.css'));
    web.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${web.cspSource}; style-src ${web.cspSource}; img-src ${web.cspSource} data:;">
<link rel="stylesheet" href="${css.toString()}">
<title>qq2clone Usage</title></head>
<body><div id="app"></div><script src="${js.toString()}"></script></body></html>`;
    const usage = tree.usage;
    this.subs.push(
      web.onDidReceiveMessage((m: unknown) => {
        const msg = m as { type?: string };
        // The script asks for everything once it runs (also after the panel was hidden and shown again).
        if (msg?.type === 'ready') this.post(true);
        if (msg?.type === 'select') void this.select(m as SelectMessage);
      }),
      usage.onSnapshot(() => this.post(false)),
      panel.onDidChangeViewState((e) => usage.setVisible('panel', e.webviewPanel.visible)),
      panel.onDidDispose(() => this.dispose()),
    );
    usage.setVisible('panel', panel.visible);
  }

  private labelOf = (name: string) => {
    const n = this.tree.model.cloneByName(name);
    return n ? { label: cloneLabel(n.clone), template: n.clone.template } : undefined;
  };

  /** Sends the newest frame, or (reset) the whole history. */
  private post(reset: boolean): void {
    const h = this.tree.usage.history;
    const snaps = reset ? h : h.slice(-1);
    const msg: FramesMessage = { type: 'frames', reset, frames: snaps.map((s) => usageFrame(s, this.labelOf)) };
    this.posted++;
    void this.panel.webview.postMessage(msg);
  }

  /** Selects and reveals a clone in the tree (the webview's click). */
  async select(m: SelectMessage): Promise<void> {
    const node = this.tree.model.cloneByName(m.name);
    if (node) await this.tree.reveal(node);
  }

  dispose(): void {
    if (UsagePanel.current === this) UsagePanel.current = undefined;
    this.tree.usage.setVisible('panel', false);
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}
