import * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';
import { disposeSharedValidator } from '../../libvirt/validation';
import { DomainXmlFileSystem } from './fileSystem';
import { registerDiagnostics } from './diagnostics';
import { compareWithCurrent, currentText, overwrite, saveWithoutValidation, setFileSystem } from './documents';
import { tellRefusedSave } from './refusedSave';
import { CURRENT_SCHEME, XML_LANGUAGE, XML_SCHEME } from './uris';

/**
 * Domain XML documents (qq2clone-xml:/<template>.xml, qq2clone-xml:/<template>/<number>.xml) in our language, the
 * read-only "now in libvirt" side of comparisons, and live validation into Problems.
 */
export function registerXmlDocuments(
  context: vscode.ExtensionContext,
  host: ServiceHost,
  output: vscode.LogOutputChannel,
): void {
  const fs = new DomainXmlFileSystem(host, output);
  setFileSystem(fs);
  fs.onInvalid = (uri, problems) =>
    void tellRefusedSave(uri, problems, { saveAnyway: saveWithoutValidation, compare: compareWithCurrent });
  fs.onConflict = (uri, e) => {
    void vscode.window.showWarningMessage(e.message, 'Compare', 'Overwrite').then(async (choice) => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (choice === 'Compare') await compareWithCurrent(uri);
      else if (choice === 'Overwrite' && doc) await overwrite(doc);
    });
  };
  const setLanguage = (d: vscode.TextDocument): void => {
    if (d.uri.scheme === XML_SCHEME && d.languageId !== XML_LANGUAGE) {
      void vscode.languages.setTextDocumentLanguage(d, XML_LANGUAGE);
    }
  };
  context.subscriptions.push(
    vscode.workspace.registerFileSystemProvider(XML_SCHEME, fs, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(CURRENT_SCHEME, { provideTextDocumentContent: currentText }),
    vscode.workspace.onDidOpenTextDocument(setLanguage),
    vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === XML_SCHEME && fs.showDefined(d.uri)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === XML_SCHEME && !vscode.workspace.textDocuments.some((o) => o.uri.toString() === d.uri.toString())) {
        fs.forget(d.uri);
      }
    }),
    fs,
    { dispose: () => (setFileSystem(undefined), disposeSharedValidator()) },
  );
  vscode.workspace.textDocuments.forEach(setLanguage);
  // The validation worker starts with the first domain XML document (not at activation: most sessions edit none).
  registerDiagnostics(context, output);
}
