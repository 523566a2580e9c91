import type { CliCommand } from '../shared';
import { commandFlags, expectArgs } from '../shared';
import { copyTemplate, copyTemplateToHost } from '../../../libvirt/templates';
import { cliTemplateDeps } from './cliTemplateDeps';

const USAGE = 'CURRENT-NAME NEW-NAME [--to URI [--pool POOL]]';

/**
 * qq2clone copy-template CURRENT-NAME NEW-NAME: same XML, same storage, new name. With --to URI: the template's
 * images are uploaded into a directory pool (--pool, default "default") of that libvirt host, with progress (a
 * line per 10%), and NEW-NAME is the template there; Ctrl-C cancels and leaves nothing behind.
 */
export const copyTemplateCliCommand: CliCommand = {
  name: 'copy-template',
  usage: USAGE,
  summary: "Copy a template's XML to a new template (it shares the same disk images), or to another libvirt host with --to.",
  async run(ctx, args) {
    const f = commandFlags('copy-template', USAGE, args, ['to', 'pool'], []);
    expectArgs('copy-template', USAGE, f.positional, 2);
    const [from, to] = [f.positional[0]!, f.positional[1]!];
    const uri = f.values.get('to');
    if (!uri) {
      const r = await copyTemplate(cliTemplateDeps(ctx), from, to);
      ctx.out.info(`Copied ${from} to ${r.name}.`);
      return;
    }
    let shown = -1;
    const pool = f.values.get('pool');
    const r = await copyTemplateToHost(cliTemplateDeps(ctx), from, to, uri, {
      signal: ctx.signal,
      ...(pool ? { pool } : {}),
      onProgress: (done, total) => {
        const tenth = total ? Math.floor((done / total) * 10) : 10;
        if (tenth > shown) ctx.out.info(`Uploading ${from}'s images to ${uri}: ${tenth * 10}%`);
        shown = Math.max(shown, tenth);
      },
    });
    ctx.out.info(`Copied ${from} to ${r.name} on ${uri}.`);
    for (const m of r.messages) ctx.out.info(m);
  },
};
