import * as vscode from 'vscode';
import { templatePath } from '../../../libvirt/templates';
import type { CommandDefinition } from '../types';
import { chooseTemplate } from './shared';

/** The XML documents' command that opens a template's XML (validated as it is edited), when it is installed. */
const OPEN_TEMPLATE_XML = 'qq2clone.openTemplateXml';

/** modify-template edit: opens the template's XML document. */
export const editTemplateCommand: CommandDefinition = {
  id: 'qq2clone.editTemplate',
  run: async (ctx, node?) => {
    const name = await chooseTemplate(ctx, node, 'Edit a template');
    if (!name) return undefined;
    if ((await vscode.commands.getCommands(true)).includes(OPEN_TEMPLATE_XML)) {
      return vscode.commands.executeCommand(OPEN_TEMPLATE_XML, { template: name });
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(templatePath(ctx.host.service, name)));
    return vscode.window.showTextDocument(doc);
  },
};
