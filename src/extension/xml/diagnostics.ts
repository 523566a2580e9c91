/**
 * Fills the Problems of domain XML documents from validateDomainXml: on open and while typing (debounced, never
 * blocking the editor), each on the line of the element at fault; cleared when fixed or closed.
 */
import * as vscode from 'vscode';
import { prompts } from '../ui/prompts';
import { problemSpans, validateDomainXml, type Span, type XmlProblem } from '../../libvirt/validation';
import { XML_LANGUAGE, XML_SCHEME } from './uris';
import { ValidationRuns } from './validationRuns';

const DEBOUNCE_MS = 300;

export function isDomainXml(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === XML_SCHEME || doc.languageId === XML_LANGUAGE;
}

/**
 * A problem as a diagnostic covering the text at fault (a value, an attribute, a start tag: see problemSpan), or its
 * line's text (from the first non-blank character) when that is not known.
 */
export function toDiagnostic(doc: vscode.TextDocument, p: XmlProblem, span?: Span): vscode.Diagnostic {
  const line = doc.lineAt(Math.min(Math.max(p.line - 1, 0), doc.lineCount - 1));
  const start = line.firstNonWhitespaceCharacterIndex;
  const range = span
    ? new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end))
    : new vscode.Range(line.lineNumber, start, line.lineNumber, Math.max(line.text.length, start + 1));
  const d = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Error);
  d.source = 'libvirt schema';
  if (p.raw && p.raw !== p.message) d.code = p.raw;
  return d;
}

export function registerDiagnostics(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('qq2clone-xml');
  const timers = new Map<string, NodeJS.Timeout>();

  const runs = new ValidationRuns<vscode.TextDocument>(validateDomainXml, {
    // Called only while the document still has the validated text (see check), so the offsets are its own.
    set: (doc, problems) => {
      const spans = problemSpans(doc.getText(), problems);
      collection.set(doc.uri, problems.map((p, i) => toDiagnostic(doc, p, spans[i])));
    },
    clear: (doc) => collection.delete(doc.uri),
    warn: (message) => void prompts.notify('warning', message),
    log: (message) => output.error(message),
  });
  // Until a newer edit or a close: then that one's run decides.
  const check = (doc: vscode.TextDocument): Promise<void> => {
    const version = doc.version;
    return runs.run(doc, doc.getText(), () => !doc.isClosed && doc.version === version);
  };
  const schedule = (doc: vscode.TextDocument, delay: number): void => {
    if (!isDomainXml(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void check(doc);
      }, delay),
    );
  };

  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document, DEBOUNCE_MS)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      const key = d.uri.toString();
      clearTimeout(timers.get(key));
      timers.delete(key);
      collection.delete(d.uri);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  for (const d of vscode.workspace.textDocuments) schedule(d, 0);
  return collection;
}
