import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';
import { isTreeNode } from '../common/targets';
import { freshInventory } from '../common/chooseTargets';
import { openXml } from '../../xml/documents';
import type { XmlTarget } from '../../xml/uris';

/** Arguments instead of a tree node (tests, keybindings, other commands): a template, and a clone number. */
interface XmlArgs {
  readonly template?: string;
  readonly id?: number;
}

/**
 * Opens the XML of a template (its file) or of a clone (its libvirt definition) as a validated document; saving
 * it writes the template or redefines the clone. From the palette: pick one.
 */
export const editXmlCommand: CommandDefinition = {
  id: 'qq2clone.editXml',
  hosts: 'first',
  run: async (ctx, node?) => {
    let target: XmlTarget | undefined;
    if (isTreeNode(node)) {
      target =
        node.kind === 'template'
          ? { kind: 'template', template: node.template.name }
          : { kind: 'clone', template: node.clone.template, id: node.clone.id };
    } else if (typeof node === 'object' && node !== null && typeof (node as XmlArgs).template === 'string') {
      const a = node as XmlArgs;
      target = a.id === undefined ? { kind: 'template', template: a.template! } : { kind: 'clone', template: a.template!, id: a.id };
    } else {
      const inv = await freshInventory(ctx);
      if (!inv) return undefined;
      const items = [
        ...inv.templates.map((t) => ({ label: t.name, description: 'template', target: { kind: 'template', template: t.name } as XmlTarget })),
        ...inv.clones.map((c) => ({
          label: `${c.template} ${c.id}`,
          description: `clone ${c.name}, ${c.state}`,
          target: { kind: 'clone', template: c.template, id: c.id } as XmlTarget,
        })),
      ];
      target = (await vscode.window.showQuickPick(items, { title: 'Edit XML', placeHolder: 'A template or a clone' }))?.target;
    }
    return target ? openXml(target) : undefined;
  },
};
