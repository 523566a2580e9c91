import * as vscode from 'vscode';
import type { CommandDefinition } from '../types';
import { saveWithoutValidation, targetDocument } from '../../xml/documents';

/**
 * Saves a domain XML document without the schema check: libvirt's schema sometimes rejects XML that libvirt
 * itself accepts. libvirt still refuses what it cannot use, and a changed domain is still not overwritten.
 */
export const saveXmlWithoutValidationCommand: CommandDefinition = {
  id: 'qq2clone.saveXmlWithoutValidation',
  hosts: 'first',
  run: async (_ctx, uri?) => {
    const doc = targetDocument(uri);
    if (!doc) {
      void vscode.window.showInformationMessage('Open a template or clone XML document (Edit XML) first.');
      return false;
    }
    if (!doc.isDirty) {
      void vscode.window.showInformationMessage('Nothing to save: the document has no unsaved changes.');
      return false;
    }
    return saveWithoutValidation(doc);
  },
};
