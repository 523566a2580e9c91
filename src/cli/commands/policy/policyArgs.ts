/** `ACTION [SNAPSHOT] [--on REASON,...]` as policy and modify-template NAME policy take it (SNAPSHOT with revert). */
import { UsageError } from '../../../core/errors';
import { parsePolicy, type PowerOffPolicy } from '../../../libvirt/policy';

export function parsePolicyArgs(command: string, args: readonly string[]): PowerOffPolicy {
  const [action, ...more] = args;
  if (action === undefined) throw new UsageError(`${command} takes keep|reset|remove|revert SNAPSHOT [--on REASON,...].`);
  const snapshot = action === 'revert' && more[0] !== undefined && !more[0].startsWith('--') ? more[0] : undefined;
  const rest = snapshot === undefined ? more : more.slice(1);
  let on: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--on' && i + 1 < rest.length && on === undefined) on = rest[++i]!;
    else if (a.startsWith('--on=') && on === undefined) on = a.slice(5);
    else throw new UsageError(`${command} takes keep|reset|remove|revert SNAPSHOT [--on REASON,...]; '${a}' is not understood.`);
  }
  return parsePolicy(action, on, snapshot);
}
