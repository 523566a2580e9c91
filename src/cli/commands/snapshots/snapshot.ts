import type { CliCommand } from '../shared';
import { commandFlags, expectArgs, reportBatch } from '../shared';
import { UsageError } from '../../../core/errors';
import { parseSetOrThrow } from '../../../core/set';
import { assertName } from '../../../core/names';
import { SNAPSHOT_ACTIONS } from '../../../libvirt/snapshots';
import type { SnapshotAction } from '../../../libvirt/api';
import type { CliContext } from '../../context';
import { snapshotRows } from './snapshotList';

const USAGE = 'SET create NAME [--description TEXT] [--external] | SET revert NAME | SET delete NAME | N list';

/** What each action prints per machine done. */
const DONE: Record<SnapshotAction['kind'], (name: string) => string> = {
  create: (n) => `Took snapshot ${n} of`,
  revert: (n) => `Reverted to snapshot ${n}:`,
  delete: (n) => `Deleted snapshot ${n} of`,
};

async function list(ctx: CliContext, setText: string): Promise<void> {
  const chosen = await ctx.clonesInSet(setText, { command: 'snapshot list' });
  if (chosen.length !== 1) throw new UsageError(`snapshot list shows one machine; the set '${setText}' names ${chosen.length}.`);
  const c = chosen[0]!;
  const snaps = await ctx.service().snapshots(c.uuid, ctx.signal);
  if (snaps.length) ctx.out.result(snapshotRows(snaps));
  else ctx.out.info(`${c.id} (${c.name}) has no snapshots.`);
}

/**
 * qq2clone snapshot SET create|revert|delete NAME, snapshot N list: internal snapshots of clones (in their qcow2
 * overlays; a running clone's keeps its memory). Each machine is reported; exit as the SET operations do.
 */
export const snapshotCliCommand: CliCommand = {
  name: 'snapshot',
  usage: USAGE,
  summary: 'Take (create), go back to (revert) or delete snapshot NAME of every machine in SET; list the snapshots of machine N.',
  speaksUnderQuieter: (args) => args[1] === 'list',
  async run(ctx, args) {
    const f = commandFlags('snapshot', USAGE, args, ['description'], ['external']);
    const [setText, sub, name] = f.positional;
    if (sub === 'list') {
      expectArgs('snapshot', USAGE, f.positional, 2);
      if (f.values.size || f.flags.size) throw new UsageError('snapshot list takes no --description or --external.');
      return list(ctx, setText!);
    }
    expectArgs('snapshot', USAGE, f.positional, 3);
    if (sub !== 'create' && sub !== 'revert' && sub !== 'delete') {
      throw new UsageError(`Unknown snapshot sub-command '${sub}'; use create, revert, delete or list. Usage: qq2clone snapshot ${USAGE}`);
    }
    const description = f.values.get('description');
    if (description !== undefined && sub !== 'create') throw new UsageError(`snapshot ${sub} takes no --description.`);
    if (f.flags.has('external') && sub !== 'create') throw new UsageError(`snapshot ${sub} takes no --external.`);
    const set = parseSetOrThrow(setText!);
    assertName(name!, 'snapshot name');
    const action: SnapshotAction =
      sub === 'create'
        ? { kind: 'create', name: name!, ...(description !== undefined ? { description } : {}), ...(f.flags.has('external') ? { external: true } : {}) }
        : { kind: sub, name: name! };
    const chosen = await ctx.clonesInSet(set, { command: `snapshot ${sub}`, accepts: (c) => SNAPSHOT_ACTIONS[sub].skip(c.state) === undefined });
    const refs = chosen.map(({ template, id, uuid, name: n }) => ({ template, id, uuid, name: n }));
    const r = await ctx.service().snapshot(action, refs, { signal: ctx.signal });
    reportBatch(ctx, `snapshot ${sub}`, DONE[sub](name!), refs.length, r);
  },
};
