/**
 * A template of the test bed made visible to the running extension: its own template directory and storage in the
 * bed (settings qq2clone.templateDirectory / storage / defaultTemplate), clones not started unless asked, quiet
 * notifications captured, prompts answered by the test. close() puts every setting and prompt back and removes every
 * domain and file the bed made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TestBed, virsh } from '../../testbed';
import type { Qq2cloneExports } from '../../../src/extension/extension';
import type { Prompts } from '../../../src/extension/ui/prompts';
import type { CloneNode, TemplateNode } from '../../../src/extension/tree/model';
import { activated, waitFor } from './extension';

export interface Notice {
  readonly severity: string;
  readonly message: string;
  /** The buttons the notification offered. */
  readonly actions: readonly string[];
}

export class CloneBed {
  readonly bed: TestBed;
  readonly templateDir: string;
  readonly storage: string;
  template!: { name: string; xmlPath: string; disk: string };
  api!: Qq2cloneExports;
  /** Notifications the commands showed while the bed was open. */
  readonly notices: Notice[] = [];
  /** Confirmation questions asked (message + detail). */
  readonly confirms: string[] = [];
  private readonly savedSettings = new Map<string, unknown>();
  private savedPrompts: Partial<Prompts> = {};

  private constructor(tag: string) {
    this.bed = new TestBed(tag);
    this.templateDir = path.join(this.bed.root, 'templates');
    this.storage = path.join(this.bed.root, 'pool');
    fs.mkdirSync(this.storage, { recursive: true });
  }

  /** `makeTemplate`: writes the bed's template into the template directory (default: a tiny diskful domain). */
  static async open(tag: string, makeTemplate?: (bed: TestBed, templateDir: string) => { name: string; xmlPath: string; disk: string }): Promise<CloneBed> {
    const b = new CloneBed(tag);
    try {
      b.template = makeTemplate ? makeTemplate(b.bed, b.templateDir) : b.bed.makeTemplateFile(b.templateDir, 'tpl');
      b.api = await activated();
      b.savedPrompts = { ...b.api.prompts };
      b.api.prompts.notify = (severity, message, ...actions) => {
        b.notices.push({ severity, message, actions });
        return Promise.resolve(undefined);
      };
      b.api.prompts.confirm = (message, detail) => {
        b.confirms.push(`${message}\n${detail}`);
        return Promise.resolve(true);
      };
      await b.set('templateDirectory', b.templateDir);
      await b.set('storage', b.storage);
      await b.set('defaultTemplate', b.template.name);
      await b.set('runAfterClone', false);
      await b.set('quiet', false);
      // Live usage would add figures to the rows the tests compare exactly; the usage suite turns it on.
      await b.set('usage.refreshSeconds', 0);
      await vscode.commands.executeCommand('qq2clone.refresh');
      await b.waitTree('the bed template in the tree', () => (b.templateNode() ? true : undefined));
      return b;
    } catch (e) {
      await b.close();
      throw e;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('qq2clone');
    if (!this.savedSettings.has(key)) this.savedSettings.set(key, cfg.inspect(key)?.globalValue);
    await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  }

  templateNode(): TemplateNode | undefined {
    return this.api.tree.model.templates.find((t) => t.template.name === this.template.name);
  }

  clones(): CloneNode[] {
    return this.templateNode()?.clones.filter((c) => !c.clone.staging) ?? [];
  }

  cloneNode(id: number): CloneNode {
    const n = this.clones().find((c) => c.clone.id === id);
    if (!n) throw new Error(`clone ${id} of ${this.template.name} is not in the tree`);
    return n;
  }

  /** Makes `count` clones through the command (not started unless runAfterClone was set). */
  async makeClones(count: number): Promise<CloneNode[]> {
    const before = this.clones().length;
    await vscode.commands.executeCommand('qq2clone.clone', { template: this.template.name, count });
    await vscode.commands.executeCommand('qq2clone.refresh');
    return this.waitTree(`${count} new clones`, () => (this.clones().length >= before + count ? this.clones() : undefined));
  }

  /** libvirt's own view of a clone's state (virsh domstate), for checks independent of the tree. */
  domstate(id: number): string {
    return virshState(this.cloneNode(id).clone.name);
  }

  waitTree<T>(what: string, check: () => T | undefined, limitMs = 30_000): Promise<T> {
    return waitFor(what, check, limitMs);
  }

  /** Notices since index `from` joined, for assertions. */
  noticesText(from = 0): string {
    return this.notices
      .slice(from)
      .map((n) => `${n.severity}: ${n.message}`)
      .join('\n');
  }

  async close(): Promise<void> {
    if (this.api) Object.assign(this.api.prompts, this.savedPrompts);
    const cfg = vscode.workspace.getConfiguration('qq2clone');
    for (const [key, value] of this.savedSettings) await cfg.update(key, value, vscode.ConfigurationTarget.Global);
    this.bed.cleanup();
    await vscode.commands.executeCommand('qq2clone.refresh');
  }
}

/** `virsh domstate` of a domain, e.g. "running", "paused", "shut off". */
export function virshState(domain: string): string {
  return virsh('domstate', domain).trim();
}

/** Records a measured figure for the report: console and out/test-figures.txt (the host's console is not always shown). */
export function figure(line: string): void {
  console.log(`    ${line}`);
  const root = vscode.extensions.getExtension('qq2clone.qq2clone-vscode')?.extensionPath;
  if (root) fs.appendFileSync(path.join(root, 'out', 'test-figures.txt'), `${new Date().toISOString()} ${line}\n`);
}
