/**
 * Saving an edited template XML: the one rule of the CLI's `modify-template NAME edit` and the extension's template
 * documents. The <name> stays the template's name (it names the file, and a rename must also rename the clones:
 * renameTemplate does both), and the file is replaced under the template's lock only while it still holds the text
 * the edit started from.
 */
import { UsageError } from '../../core/errors';
import type { LibvirtService } from '../api';
import { DomainDoc } from '../domain';

/** An edit changed (or dropped) the <name> of a template: refused, nothing written. */
export class TemplateNameChangedError extends UsageError {
  constructor(
    /** The template's name, which <name> must keep. */
    readonly template: string,
    /** The <name> of the edited XML ('' when it has none). */
    readonly edited: string,
  ) {
    super(
      `Not saved: the <name> of template ${template} must stay ${template}${edited ? ` (the edit has ${edited})` : ' (the edit has none)'}. ` +
        'Rename the template with its rename command instead: it renames its file and its clones too.',
    );
  }
}

/**
 * The refusal of an edit of template `template` that changes its <name>, or undefined when the name is kept.
 * Throws XmlError when `edited` is not a domain document.
 */
export function templateNameChange(template: string, edited: string): TemplateNameChangedError | undefined {
  const name = new DomainDoc(edited).name;
  return name === template ? undefined : new TemplateNameChangedError(template, name);
}

/**
 * Writes the edited XML of template `template` (the service's writeTemplateXml: its images made read-only first).
 * Refuses with TemplateNameChangedError when the edit changed its <name>; under the template's lock (across
 * processes), refuses with `conflict(now)` (or a UsageError) when the file is no longer `base`, the text the edit
 * started from. Nothing is written when it refuses.
 */
export async function saveEditedTemplate(
  svc: LibvirtService,
  template: string,
  edited: string,
  o: { base: string; conflict?: (now: string) => Error; current?: () => Promise<string> },
): Promise<void> {
  const refused = templateNameChange(template, edited);
  if (refused) throw refused;
  const current = o.current ?? (() => svc.templateXml(template));
  await svc.withTemplateLock(template, async () => {
    const now = await current();
    if (now !== o.base) throw o.conflict?.(now) ?? new UsageError(`Template ${template} was changed by something else since the edit began: not saved.`);
    await svc.writeTemplateXml(template, edited);
  });
}
