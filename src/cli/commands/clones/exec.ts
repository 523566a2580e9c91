import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import { ExternalCommandError } from '../../../core/errors';
import { parseSetOrThrow } from '../../../core/set';
import { execEach } from '../../../libvirt/process';

/**
 * qq2clone exec SET CMD: CMD runs with bash once per machine, in number order, with $uuid, $name and $disks set.
 * The first non-zero exit stops it; qq2clone then exits 14 (manual: "Invocation of an external command failed"),
 * not with CMD's status, so a script can tell a failed command from qq2clone's own errors (10-19).
 */
export const execCliCommand: CliCommand = {
  name: 'exec',
  usage: 'SET COMMAND-STRING',
  summary: 'Run COMMAND-STRING with bash for each machine in SET, in order, with $uuid, $name, $disks set; stop at the first failure.',
  speaksUnderQuieter: true,
  async run(ctx, args) {
    expectArgs('exec', 'SET COMMAND-STRING', args, 2);
    const set = parseSetOrThrow(args[0]!);
    const chosen = await ctx.clonesInSet(set);
    const service = ctx.service();
    const targets = chosen.map((c) => ({ ...c, disks: () => service.cloneDisks(c.uuid, ctx.signal) }));
    const failure = await execEach(args[1]!, targets, { signal: ctx.signal, env: { LIBVIRT_DEFAULT_URI: ctx.uri } });
    if (failure) {
      const c = chosen[failure.index]!;
      const how = failure.signal ? `was killed by ${failure.signal}` : `exited with status ${failure.exitCode}`;
      const rest = chosen.slice(failure.index + 1).map((x) => x.id);
      const notRun = rest.length ? `; not run for ${rest.join(',')}` : '';
      throw new ExternalCommandError(`exec stopped at machine ${c.id} (${c.name}): the command ${how}${notRun}.`, {
        ...(failure.exitCode !== undefined ? { exitCode: failure.exitCode } : {}),
      });
    }
  },
};
