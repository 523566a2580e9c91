import type * as vscode from 'vscode';
import type { ServiceHost } from '../serviceHost';

/** Domain XML documents and their validation (filled in by the XML documents work). */
export function registerXmlDocuments(
  _context: vscode.ExtensionContext,
  _host: ServiceHost,
  _output: vscode.LogOutputChannel,
): void {}
