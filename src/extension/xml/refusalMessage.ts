/** The words of a refused save (no vscode: the unit tests read them). */
import type { XmlProblem } from '../../libvirt/validation';
import { describeTarget, parseXmlPath } from './uris';

/** The sentence: what was not defined, and the first problem. Pure apart from the URI's path. */
export function refusedSaveMessage(path: string, problems: readonly XmlProblem[]): string {
  const t = parseXmlPath(path);
  const what = t ? describeTarget(t) : path;
  const verb = t?.kind === 'template' ? 'written' : 'defined';
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const where = first ? `: line ${first.line}: ${first.message}${more}` : '';
  return `Not saved: ${what} was not ${verb} because its XML is invalid${where}.`;
}

/** The sentence when an edit of a template's XML changed its <name> (the service refuses it: TemplateNameChangedError). */
export function renamedTemplateMessage(template: string, edited: string): string {
  const has = edited ? `the edit has ${edited}` : 'the edit has none';
  return (
    `Not saved: the <name> of template ${template} must stay ${template} (${has}). ` +
    'To rename the template, use Rename Template… on it in the qq2clone view: its clones are renamed with it.'
  );
}
