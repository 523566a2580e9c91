import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliContext } from '../../context';
import { UsageError, XmlError } from '../../../core/errors';
import { editorOf } from '../../../libvirt/process';
import { saveEditedTemplate, templateNameChange } from '../../../libvirt/templates';
import { validateDomainXml } from '../../../libvirt/validation';
import { confirm, editCopy } from '../shared';

/**
 * modify-template NAME edit: opens a copy of the template's XML in $VISUAL/$EDITOR (vi), validates it when the
 * editor exits (offering to edit again on a terminal), and saves it through the service's one rule for edited
 * templates (saveEditedTemplate: the name kept, the file replaced atomically under the template's lock unless the
 * template changed meanwhile; then the edits are kept in their file, as when they are invalid, the editor fails or
 * Ctrl-C stops it).
 */
export async function editTemplateXml(ctx: CliContext, name: string): Promise<void> {
  const svc = ctx.service();
  const editor = editorOf(ctx.io.env).command;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-edit-'));
  const file = path.join(dir, `${name}.xml`);
  let keep = false;
  try {
    const original = await svc.templateXml(name);
    fs.writeFileSync(file, original);
    for (;;) {
      await editCopy(ctx, editor, file, original, () => (keep = true), ctx.signal);
      const text = fs.readFileSync(file, 'utf8');
      if (text === original) return ctx.out.info('No change.');
      let problems: string[];
      try {
        if (templateNameChange(name, text)) problems = [`<name> must stay ${name} (use modify-template ${name} rename to rename).`];
        else problems = (await validateDomainXml(text)).problems.map((p) => `line ${p.line}: ${p.message}`);
      } catch (e) {
        problems = [(e as Error).message];
      }
      if (!problems.length) {
        // Under the template's lock (across processes), and only over the text the edit started from.
        await saveEditedTemplate(svc, name, text, {
          base: original,
          conflict: () => {
            keep = true;
            return new UsageError(`Template ${name} was changed by something else while you edited it: not saved. Your edits are in ${file}.`);
          },
        });
        return ctx.out.info(`Saved template ${name}.`);
      }
      for (const p of problems) ctx.out.error(p);
      if (!(await confirm(ctx, 'The XML is not valid. Edit it again?'))) {
        keep = true;
        throw new XmlError(`Template ${name} was not changed: the edited XML is not valid. Your edits are in ${file}.`);
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}
