/**
 * Domain XML as documents: reading gives the template's file or the clone's inactive libvirt definition; saving
 * validates, checks that nobody changed the domain meanwhile, then defines the clone or writes the template file.
 * The user's text is what is written (formatting and comments kept); refusals throw, so the document stays dirty.
 */
import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import type { CloneInfo } from '../../libvirt/api';
import { validateDomainXml, type XmlProblem } from '../../libvirt/validation';
import { refusedSaveMessage, renamedTemplateMessage } from './refusalMessage';
import { UsageError } from '../../core/errors';
import { describeTarget, parseXmlPath, type XmlTarget } from './uris';
import { saveEditedClone } from '../../libvirt/clones';
import { saveEditedTemplate, TemplateNameChangedError } from '../../libvirt/templates';

interface Opened {
  /**
   * What libvirt (or the template file) held when the document was read or last saved: the text the user's edit
   * began from. Undefined when it is not known (the workbench asked only for the file's size and time): a save is
   * then refused as a conflict, to compare, until the user accepts what the domain is now (Overwrite).
   */
  base: string | undefined;
  mtime: number;
  /** What the open document should show after a save that changed the user's text (our metadata put back). */
  shown?: string;
}

/** Thrown by writeFile when the domain changed since it was read; carries what it is now. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly current: string,
  ) {
    super(message);
  }
}

export class DomainXmlFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly opened = new Map<string, Opened>();
  /** URIs whose next save skips schema validation ("Save Without Validation"). */
  readonly skipValidation = new Set<string>();
  /** Called when a save is refused because the XML is invalid (the UI says so, with actions). */
  onInvalid: (uri: vscode.Uri, problems: readonly XmlProblem[]) => void = () => undefined;
  /** Called after a conflict refused a save (the UI offers to compare). */
  onConflict: (uri: vscode.Uri, e: ConflictError) => void = () => undefined;

  constructor(
    private readonly host: ServiceHost,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  private target(uri: vscode.Uri): XmlTarget {
    const t = parseXmlPath(uri.path);
    if (!t) throw vscode.FileSystemError.FileNotFound(uri);
    return t;
  }

  private async clone(t: XmlTarget & { kind: 'clone' }): Promise<CloneInfo> {
    const inv = await this.host.service.inventory();
    const c = inv.clones.find((x) => x.template === t.template && x.id === t.id);
    if (!c) throw vscode.FileSystemError.FileNotFound(`${describeTarget(t)} does not exist (any more).`);
    return c;
  }

  /** What libvirt (clone) or the template directory (template) holds now. */
  async current(uri: vscode.Uri): Promise<string> {
    const t = this.target(uri);
    if (t.kind === 'template') return this.host.service.templateXml(t.template);
    return this.host.service.domainXml((await this.clone(t)).uuid, { inactive: true });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const text = await this.current(uri);
    const o = this.opened.get(uri.toString());
    // After a save that put our metadata back: the text as defined (the user's formatting), unless libvirt changed.
    const shown = o?.shown !== undefined && o.base === text ? o.shown : text;
    this.opened.set(uri.toString(), { base: text, mtime: o?.mtime ?? Date.now() });
    return new TextEncoder().encode(shown);
  }

  /**
   * Called once a document's save is over: if the save defined more than the user typed (our metadata put back),
   * a change event makes the editor read it again (the document is not dirty, so nothing typed is lost).
   */
  showDefined(uri: vscode.Uri): void {
    const o = this.opened.get(uri.toString());
    if (o?.shown === undefined) return;
    o.mtime = Math.max(Date.now(), o.mtime + 1);
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    this.target(uri);
    let o = this.opened.get(uri.toString());
    if (!o) {
      o = { base: undefined, mtime: Date.now() };
      this.opened.set(uri.toString(), o);
    }
    return { type: vscode.FileType.File, ctime: 0, mtime: o.mtime, size: (o.shown ?? o.base ?? '').length };
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    try {
      await this.save(uri, content);
    } catch (e) {
      this.output.warn(`${uri.path}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private async save(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const t = this.target(uri);
    const text = new TextDecoder().decode(content);
    const key = uri.toString();
    if (!this.skipValidation.has(key)) {
      const r = await validateDomainXml(text);
      if (!r.valid) {
        // Our own notice with actions; the write still fails, so the document stays dirty.
        this.onInvalid(uri, r.problems);
        throw new Error(
          `${refusedSaveMessage(uri.path, r.problems)} Fix it, or use "Save Without Validation" if libvirt accepts it anyway.`,
        );
      }
    }
    const o = this.opened.get(key);
    // Refuses when the domain (or file) is no longer what the document was based on; checked again under the lock.
    const unchanged = async (): Promise<string> => {
      const now = await this.current(uri);
      if (o?.base === undefined || now !== o.base) {
        const e = new ConflictError(
          o?.base === undefined
            ? `Not saved: qq2clone does not know which version of ${describeTarget(t)} this document began from. Compare the two, merge, then save again.`
            : `Not saved: ${describeTarget(t)} changed since you opened it. Compare the two, merge, then save again.`,
          now,
        );
        this.onConflict(uri, e);
        throw e;
      }
      return now;
    };
    const now = await unchanged();
    let base: string;
    let shown: string | undefined;
    // Both rules save only over `now`, the text this document started from; otherwise a conflict to compare.
    const over = {
      base: now,
      current: () => this.current(uri),
      conflict: (latest: string) => {
        const e = new ConflictError(`Not saved: ${describeTarget(t)} changed since you opened it. Compare the two, merge, then save again.`, latest);
        this.onConflict(uri, e);
        return e;
      },
    };
    if (t.kind === 'template') {
      // The service's one rule for edited templates (as the CLI's edit): the <name> kept, written under the template's
      // lock (held across processes: a CLI rename or edit waits, and so does this) only while the file is still `now`.
      await saveEditedTemplate(this.host.service, t.template, text, over).catch((e: unknown) => {
        // Refused as in the CLI, said in the extension's words (its rename is a command of the view).
        if (e instanceof TemplateNameChangedError) throw new UsageError(renamedTemplateMessage(e.template, e.edited));
        throw e;
      });
      base = text;
    } else {
      const c = await this.clone(t);
      // The service's one rule for edited clones (as the CLI's edit): our metadata put back when the edit dropped it
      // (it makes the domain clone N of T, so this document's address stays valid), a new name or UUID followed,
      // defined under the clone's lock only while the definition is still the one this document started from.
      const r = await saveEditedClone(this.host.service, c, text, over);
      const xml = r.xml;
      if (r.renamed) this.output.info(`${describeTarget(t)}: renamed from ${c.name} to ${r.name}.`);
      if (r.newUuid) this.output.info(`${describeTarget(t)}: its UUID is now ${r.uuid} (was ${c.uuid}).`);
      base = await this.host.service.domainXml(r.uuid, { inactive: true });
      if (xml !== text) {
        this.output.info(`${describeTarget(t)}: the qq2clone <metadata> element was put back.`);
        shown = xml;
      }
    }
    // The document keeps the user's text; no change event, so it is not replaced by libvirt's formatting. When our
    // metadata was put back, the document shows the text as defined once the save is over (see showDefined).
    this.opened.set(key, { base, mtime: Date.now(), ...(shown !== undefined ? { shown } : {}) });
    this.output.info(`Saved ${describeTarget(t)}.`);
    // The tree shows what was defined (memory, name of the template file...).
    void vscode.commands.executeCommand('qq2clone.refresh');
  }

  /**
   * A document was closed: what a save put back is no longer shown to it. Its base stays: the editor may hand back
   * the document it had when it is reopened (before or after the close is reported) without reading it again, and
   * that document's text still began from the base; a read sets a new one. The modification time stays too, or the
   * editor would refuse the next save as "changed on disk".
   */
  forget(uri: vscode.Uri): void {
    const o = this.opened.get(uri.toString());
    if (o) this.opened.set(uri.toString(), { base: o.base, mtime: o.mtime });
  }

  /** Accept what the domain is now as the base of the open document (after "Overwrite"). */
  rebase(uri: vscode.Uri, current: string): void {
    const o = this.opened.get(uri.toString());
    if (o) o.base = current;
    else this.opened.set(uri.toString(), { base: current, mtime: Date.now() });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
