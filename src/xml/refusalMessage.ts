/** The words of a refused save (no vscode: the unit tests read them). */
import type { XmlProblem } from '../validation';
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
