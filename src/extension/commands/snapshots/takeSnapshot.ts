import { nameProblem } from '../../../core/names';
import type { CloneInfo } from '../../../libvirt/api';
import { prompts } from '../../ui/prompts';
import { selectedNodes } from '../common/targets';
import { cloneWhat, type Skip } from '../../ui/cloneWords';
import { targetsFromArgsOrPalette } from '../common/chooseTargets';
import type { CommandDefinition } from '../types';
import { snapshotWithProgress } from './snapshotProgress';

const TITLE = 'Take Snapshot';

/**
 * Takes a snapshot of the selected clones (or a SET): asks its name and an optional description, then takes it in
 * every clone's overlays (a running clone's with its memory) with progress and Cancel.
 */
export const takeSnapshotCommand: CommandDefinition = {
  id: 'qq2clone.takeSnapshot',
  run: async (ctx, node?, nodes?) => {
    const picked = selectedNodes(node, nodes);
    const clones: CloneInfo[] = [];
    const skipped: Skip[] = [];
    if (picked.length) {
      for (const n of picked) {
        if (n.kind === 'template') skipped.push({ what: `template ${n.template.name}`, reason: 'not a clone' });
        else if (n.clone.staging) skipped.push({ what: cloneWhat(n.clone), reason: 'the staging clone is managed by the template commands' });
        else clones.push(n.clone);
      }
    } else {
      const t = await targetsFromArgsOrPalette(ctx, TITLE, node);
      if (!t) return;
      clones.push(...t.clones);
      skipped.push(...t.skipped);
    }
    if (!clones.length) {
      void prompts.notify('warning', `${TITLE}: no clone selected.`);
      return;
    }
    const which = clones.length === 1 ? cloneWhat(clones[0]!) : `${clones.length} clones`;
    const name = await prompts.inputBox({
      title: `${TITLE} of ${which}`,
      prompt: 'Name of the snapshot',
      validateInput: (v) => nameProblem(v) ?? null,
    });
    if (name === undefined) return;
    const description = await prompts.inputBox({ title: `${TITLE} ${name}`, prompt: 'Description (optional)' });
    if (description === undefined) return;
    await snapshotWithProgress(ctx, `${TITLE} ${name}`, { kind: 'create', name, ...(description ? { description } : {}) }, clones, skipped);
  },
};
