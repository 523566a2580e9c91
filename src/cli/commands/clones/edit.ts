import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import { expectArgs } from '../shared';
import { confirm, editCopy } from '../shared';
import { UsageError, XmlError } from '../../../core/errors';
import { editorOf } from '../../../libvirt/process';
import { saveEditedClone } from '../../../libvirt/clones';

/** What is wrong with the edited text against libvirt's schemas (`LINE: message`), empty when it may be defined. */
async function problemsOf(text: string): Promise<{ line: number; message: string }[]> {
  // Loaded here, not with the clones/ group: list and clone do not load the validator (xmllint).
  const { validateDomainXml } = await import('../../../libvirt/validation');
  const r = await validateDomainXml(text);
  return r.valid ? [] : [...r.problems];
}

/**
 * qq2clone edit NUMBER: the clone's inactive XML, secrets included (so a graphics password survives the edit), in
 * $VISUAL/$EDITOR (vi); unchanged text changes nothing; the edited text is checked against libvirt's schemas and
 * defined only when valid, through the service's saveEditedClone (renames followed, metadata put back, refused if the
 * clone was changed meanwhile). Invalid: FILE:LINE: message per
 * problem, exit 15, and the file is kept so the edits are not lost (as when the editor fails or Ctrl-C stops it). Without a terminal, runs only an editor that
 * VISUAL or EDITOR names (a script's `EDITOR='sed -i ...'`), never vi.
 */
async function editClone(ctx: CliContext, number: string): Promise<void> {
  if (!/^[1-9][0-9]*$/.test(number)) throw new UsageError(`edit takes the NUMBER of one clone; '${number}' is not one.`);
  const editor = editorOf(ctx.io.env);
  if (!ctx.io.stdinIsTTY && !editor.explicit) {
    throw new UsageError('edit needs a terminal for vi: run it on a terminal, or set EDITOR (or VISUAL) to a command that edits the file it is given.');
  }
  const { template, clones } = await ctx.templateClones();
  const clone = clones.find((c) => c.id === Number(number) && !c.staging);
  if (!clone) throw new UsageError(`Template ${template} has no clone ${number} (qq2clone list shows the numbers).`);
  const svc = ctx.service();
  const original = await svc.domainXml(clone.uuid, { inactive: true, signal: ctx.signal });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2clone-edit-'));
  const file = path.join(dir, `${clone.name}.xml`);
  fs.writeFileSync(file, original);
  let keep = false;
  try {
    for (;;) {
      await editCopy(ctx, editor.command, file, original, () => (keep = true), ctx.signal);
      const text = fs.readFileSync(file, 'utf8');
      if (text === original) return ctx.out.info(`No change: clone ${clone.id} (${clone.name}) is as it was.`);
      const problems = await problemsOf(text);
      if (problems.length === 0) {
        let saved;
        try {
          // The service's one rule for edited clones (as the extension's documents): under the clone's lock, only over
          // the definition the edit started from, a new name or UUID followed, our metadata put back if dropped.
          saved = await saveEditedClone(svc, clone, text, {
            base: original,
            signal: ctx.signal,
            conflict: () => new UsageError(`Clone ${clone.id} (${clone.name}) was changed by something else while you edited it: not defined.`),
          });
        } catch (e) {
          keep = true;
          ctx.out.error(e instanceof UsageError ? `Your edits are in ${file}.` : `libvirt did not accept the edited XML; your edits are in ${file}.`);
          throw e;
        }
        if (saved.renamed) ctx.out.info(`Clone ${clone.id} renamed from ${clone.name} to ${saved.name}.`);
        if (saved.newUuid) ctx.out.info(`Clone ${clone.id}: its UUID is now ${saved.uuid} (was ${clone.uuid}).`);
        if (saved.metadataRestored) ctx.out.info(`Clone ${clone.id}: the qq2clone <metadata> element the edit dropped was put back.`);
        return ctx.out.info(`Defined clone ${clone.id} (${saved.name}) from the edited XML.`);
      }
      for (const p of problems) ctx.io.stderr(`${file}:${p.line}: ${p.message}\n`);
      if (!(await confirm(ctx, 'The XML is not valid. Edit it again?'))) {
        keep = true;
        throw new XmlError(`Clone ${clone.id} (${clone.name}) was not changed: the edited XML is not valid. Your edits are in ${file}.`);
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const editCliCommand: CliCommand = {
  name: 'edit',
  usage: 'NUMBER',
  summary: "Edit the XML of the clone with this number in $VISUAL/$EDITOR; it is defined only when valid.",
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('edit', 'NUMBER', args, 1);
    try {
      await editClone(ctx, args[0]!);
    } finally {
      (await import('../../../libvirt/validation')).disposeSharedValidator();
    }
  },
};
