import { asQq2Error } from '../../../core/errors';
import { cloneCountProblem } from '../../../core/cloneCount';
import type { CloneInfo } from '../../../libvirt/api';
import { pickTemplate } from '../../ui/pickTemplate';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { freshInventory } from '../common/chooseTargets';
import { selectedNodes } from '../common/targets';
import { listSkips, type Skip } from '../../ui/cloneWords';
import type { CommandContext, CommandDefinition } from '../types';
import { summarizeClones, type TemplateOutcome } from './cloneSummary';

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

/**
 * clone [NUMBER]: asks how many, makes them of each chosen template (started when qq2clone.runAfterClone), with
 * progress and Cancel. A failing clone or template does not stop the others; the summary says truthfully what was
 * made, what failed (with libvirt's message) and what was cancelled.
 */
export const cloneTemplateCommand: CommandDefinition = {
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
        : await prompts.inputBox({ title: `Clone ${chosen.names.join(', ')}`, prompt: 'How many clones?', value: '1', validateInput: cloneCountProblem });
    if (answer === undefined || cloneCountProblem(answer)) return undefined;
    const count = Number(answer);
    const { runAfterClone: run, quiet } = uiSettings();
    const { acquired, busy } = ctx.tree.cloning.acquire(chosen.names, 'cloning');
    const skipped = [...chosen.skipped, ...busy.map((b) => ({ what: `template ${b.key}`, reason: 'already being cloned' }))];
    if (!acquired.length) {
      void prompts.notify('warning', `Clone: nothing to clone; skipped ${listSkips(skipped)}.`);
      return undefined;
    }
    const outcomes: TemplateOutcome[] = [];
    try {
      await prompts.progress(`Clone ${chosen.names.join(', ')}`, count * acquired.length, async (signal, done) => {
        let finished = 0;
        for (const template of acquired) {
          if (signal.aborted) outcomes.push({ template, result: { made: [], failed: [], cancelled: count } });
          else {
            const before = finished;
            outcomes.push(
              await ctx.host.service
                .cloneBatch(template, count, { run, signal, onProgress: (p) => done(before + p.done) })
                .then(
                  (result) => ({ template, result }),
                  (e: unknown) => ({ template, error: asQq2Error(e) }),
                ),
            );
          }
          finished += count;
          done(finished);
        }
      });
    } finally {
      ctx.tree.cloning.release(acquired);
      ctx.tree.requestRefresh();
    }
    const summary = summarizeClones(outcomes, count, run, skipped);
    for (const l of summary.log) ctx.output[l.level](l.text);
    if (summary.severity === 'error') {
      void prompts.notify('error', summary.message, 'Show Output').then((a) => a && ctx.output.show(true));
    } else if (summary.severity === 'warning' || !quiet) void prompts.notify(summary.severity, summary.message);
    return outcomes.flatMap((o) => ('result' in o ? o.result.made : []));
  },
};
