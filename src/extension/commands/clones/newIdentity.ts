/**
 * Give New Identity: on clones that are off (the tree selection, or a SET), writes a new hostname (their identity
 * setting's pattern, or the default), machine-id and SSH host keys into their disks, all in one libguestfs
 * appliance, under a progress notification with Cancel; the new host keys are pinned for Open SSH.
 */
import { asQq2Error } from '../../../core/errors';
import type { CloneInfo } from '../../../libvirt/api';
import { giveNewIdentity } from '../../../libvirt/identity';
import { prompts } from '../../ui/prompts';
import { uiSettings } from '../../ui/settings';
import { summarize } from '../../ui/summary';
import { targetsFromArgsOrPalette } from '../common/chooseTargets';
import { refOf, selectedNodes } from '../common/targets';
import type { CommandDefinition } from '../types';

const TITLE = 'Give New Identity';

export const newIdentityCommand: CommandDefinition = {
  id: 'qq2clone.newIdentity',
  run: async (ctx, node?, nodes?) => {
    const picked = selectedNodes(node, nodes);
    let clones: CloneInfo[];
    if (picked.length) clones = picked.flatMap((n) => (n.kind === 'clone' && !n.clone.staging ? [n.clone] : []));
    else clones = (await targetsFromArgsOrPalette(ctx, TITLE, node))?.clones.filter((c) => !c.staging) ?? [];
    if (!clones.length) {
      if (picked.length) void prompts.notify('warning', `${TITLE}: select clones that are off.`);
      return undefined;
    }
    const { acquired } = ctx.tree.busy.acquire(
      clones.map((c) => c.uuid),
      'getting a new identity',
    );
    const refs = clones.filter((c) => acquired.includes(c.uuid)).map(refOf);
    // The appliance opens the clones' overlays for writing: a disk view holding one must let go first.
    if (ctx.disk) await Promise.all(refs.map((r) => ctx.disk!.host.disk.close({ template: r.template, clone: r.id })));
    try {
      const result = await prompts.progress(TITLE, refs.length, (signal, done) =>
        giveNewIdentity(ctx.host.service, refs, { signal, onProgress: (p) => done(p.done, p.total, p.item?.name) }),
      );
      summarize(ctx.output, TITLE, result, [], uiSettings().quiet);
      return result;
    } catch (e) {
      const err = asQq2Error(e);
      ctx.output.error(`${TITLE} failed: ${err.message}`);
      void prompts.notify('error', `${TITLE} failed: ${err.message}`);
      return undefined;
    } finally {
      ctx.tree.busy.release(acquired);
      ctx.tree.requestRefresh();
    }
  },
};
