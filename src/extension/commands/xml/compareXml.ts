import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';
import { compareWithCurrent, targetDocument } from '../../xml/documents';

/** Shows what libvirt (or the template file) holds now next to the open document. */
export const compareXmlCommand: CommandDefinition = {
  id: 'qq2clone.compareXml',
  hosts: 'first',
  run: async (_ctx, uri?) => {
    const doc = targetDocument(uri);
    if (!doc) {
      void vscode.window.showInformationMessage('Open a template or clone XML document (Edit XML) first.');
      return;
    }
    await compareWithCurrent(doc.uri);
  },
};
