import { CancelledError, asQq2Error } from '../../core/errors';
import type { CloneInfo } from '../../libvirt/api';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { freshInventory } from '../common/chooseTargets';
import { listSkips, selectedNodes, type Skip } from '../common/targets';
import type { CommandContext, CommandDefinition } from '../types';

/** Parses the "how many" answer; the message says what is wrong. */
export function countProblem(text: string): string | undefined {
  if (!/^\s*[0-9]+\s*$/.test(text)) return 'Give a whole number of clones, e.g. 1 or 5.';
  const n = Number(text);
  if (n < 1) return 'Make at least one clone.';
  if (n > 999) return 'At most 999 clones at once.';
  return undefined;
}

/** Templates from the selection (clones and broken templates skipped), or one picked from the palette. */
async function chooseTemplates(ctx: CommandContext, node: unknown, nodes: unknown): Promise<{ names: string[]; skipped: Skip[] } | undefined> {
  const picked = selectedNodes(node, nodes);
  if (typeof node === 'object' && node !== null && typeof (node as { template?: unknown }).template === 'string' && !picked.length) {
    return { names: [(node as { template: string }).template], skipped: [] };
  }
  if (!picked.length) {
    const inv = await freshInventory(ctx);
    const name = inv && (await pickTemplate(inv, 'Clone a template'));
    return name ? { names: [name], skipped: [] } : undefined;
  }
  const names: string[] = [];
  const skipped: Skip[] = [];
  for (const n of picked) {
    if (n.kind === 'clone') skipped.push({ what: `clone ${n.clone.id} (${n.clone.name})`, reason: 'not a template' });
    else if (n.template.problem) skipped.push({ what: `template ${n.template.name}`, reason: n.template.problem });
    else if (!names.includes(n.template.name)) names.push(n.template.name);
  }
  return { names, skipped };
}

/** clone [NUMBER]: asks how many, makes them (started when qq2clone.runAfterClone), with progress and Cancel. */
export const cloneTemplate: CommandDefinition = {
  id: 'qq2clone.clone',
  run: async (ctx, node?, nodes?): Promise<CloneInfo[] | undefined> => {
    const chosen = await chooseTemplates(ctx, node, nodes);
    if (!chosen) return undefined;
    if (!chosen.names.length) {
      void prompts.notify('warning', `Clone: nothing to clone; skipped ${listSkips(chosen.skipped)}.`);
      return undefined;
    }
    const given = (node as { count?: unknown } | undefined)?.count;
    const answer =
      typeof given === 'number'
        ? String(given)
        : await prompts.inputBox({ title: `Clone ${chosen.names.join(', ')}`, prompt: 'How many clones?', value: '1', validateInput: countProblem });
    if (answer === undefined || countProblem(answer)) return undefined;
    const count = Number(answer);
    const { runAfterClone: run, quiet } = uiSettings();
    const keys = chosen.names.map((n) => `template:${n}`);
    const { acquired, busy } = ctx.tree.busy.acquire(keys, 'cloning');
    const skipped = [...chosen.skipped, ...busy.map((b) => ({ what: b.uuid.slice(9), reason: 'already being cloned' }))];
    const made: CloneInfo[] = [];
    const total = count * acquired.length;
    try {
      await prompts.progress(`Clone ${chosen.names.join(', ')}`, total, async (signal, done) => {
        for (const key of acquired) {
          if (signal.aborted) break;
          const before = made.length;
          const ones = await ctx.host.service
            .clone(key.slice(9), count, { run, signal, onProgress: (p) => done(before + p.done) })
            .catch((e: unknown) => {
              if (asQq2Error(e) instanceof CancelledError) return [];
              throw e;
            });
          made.push(...ones);
          done(made.length);
        }
      });
      const note = `Clone: made ${made.length} of ${total}${run ? ' (started)' : ''}: ${made.map((c) => c.name).join(', ')}`;
      ctx.output.info(note);
      if (made.length < total || skipped.length) {
        const skip = skipped.length ? `; skipped ${listSkips(skipped)}` : '';
        void prompts.notify('warning', `Clone: made ${made.length} of ${total}${made.length < total ? ' (cancelled)' : ''}${skip}.`);
      } else if (!quiet) void prompts.notify('info', note);
      return made;
    } catch (e) {
      const err = asQq2Error(e);
      ctx.output.error(`Clone failed after ${made.length} made: ${err.message}${err.failure.stderr ? `\n${err.failure.stderr}` : ''}`);
      void prompts.notify('error', `Clone failed: ${err.message}`, 'Show Output').then((a) => a && ctx.output.show(true));
      return made;
    } finally {
      ctx.tree.busy.release(acquired);
      ctx.tree.requestRefresh();
    }
  },
};
