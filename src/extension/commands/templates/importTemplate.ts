import { importSourceKind } from '../../../libvirt/templates';
import { importTemplate as importOp } from '../../../libvirt/templates';
import { nameProblem } from '../../../core/names';
import { prompts } from '../../ui/prompts';
import { freshInventory } from '../common/chooseTargets';
import type { CommandDefinition } from '../types';
import { argsOf, runTemplateOp, extensionTemplateDeps } from './shared';
import * as vscode from 'vscode';
import type { IdentitySetting } from '../../../libvirt/domain';
import { askIdentity } from './cloneIdentity';

const FILE = '$(file) Domain XML file...';
const OFFER = 'Clone Identity...';

/** import-template: from a libvirt domain that is not ours (picked) or a domain XML file; asks the name. */
export const importTemplateCommand: CommandDefinition = {
  id: 'qq2clone.importTemplate',
  run: async (ctx, node?) => {
    const args = argsOf(node);
    let source = args.source;
    if (!source) {
      const inv = await freshInventory(ctx);
      if (!inv) return undefined;
      const items = [{ label: FILE }, ...inv.foreign.map((d) => ({ label: d.name, description: d.state }))];
      const picked = await prompts.quickPick(items, { title: 'Import a template', placeHolder: 'A libvirt domain that is not a clone, or a file' });
      if (!picked) return undefined;
      if (picked.label === FILE) {
        const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Domain XML': ['xml'] } });
        if (!uri?.[0]) return undefined;
        source = uri[0].fsPath;
      } else source = picked.label;
    }
    const kind = importSourceKind(source);
    const name =
      args.newName ??
      (await prompts.inputBox({
        title: `Import ${source}`,
        prompt: 'Template name (empty: the name in the XML)',
        validateInput: (v) => (v === '' ? undefined : nameProblem(v)),
      }));
    if (name === undefined) return undefined;
    const r = await runTemplateOp(
      ctx,
      `Import template from ${kind === 'path' ? 'file' : 'domain'} ${source}`,
      (signal) => importOp(extensionTemplateDeps(ctx), source, name || undefined, signal),
      (r) => [`Template ${r.name} imported.`, ...r.messages],
    );
    // Identity is off for a template until asked for: given as an argument, or offered (without blocking the import).
    const given = (node as { identity?: IdentitySetting } | undefined)?.identity;
    if (r && given) await askIdentity(ctx, r.name, given);
    else if (r)
      void prompts
        .notify('info', `Give each clone of ${r.name} its own hostname, machine-id and SSH host keys (Linux guests)?`, OFFER)
        .then((a) => (a === OFFER ? askIdentity(ctx, r.name) : undefined));
    return r;
  },
};
