import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';
import { saveValidated, targetDocument } from '../../xml/documents';

/**
 * Save (Ctrl+S) in a domain XML document: validates first; invalid XML is not saved and the user is told why, with
 * Show Problems, Save Without Validation and Compare. Elsewhere it is the ordinary Save.
 */
export const saveXmlCommand: CommandDefinition = {
  id: 'qq2clone.saveXml',
  hosts: 'first',
  run: async (_ctx, uri?) => {
    const doc = targetDocument(uri);
    if (!doc) return vscode.commands.executeCommand('workbench.action.files.save');
    return saveValidated(doc);
  },
};
