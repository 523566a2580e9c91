/**
 * QEMU's image lock: a start refused because another running VM holds a template's image writable is explained
 * (what it means, what to do) for the staging clone and for clones alike.
 */
import { LibvirtError } from '../../core/errors';

/** A start refused because another VM holds the template's image writable: say what it means and what to do. */
export function explainLock(e: unknown, template: string, what = `The staging image of ${template}`): unknown {
  if (!(e instanceof LibvirtError) || !/lock/i.test(e.message)) return e;
  return new LibvirtError(
    `${what} cannot start: another running VM has the template's image open for writing ` +
      `(QEMU write lock). A template's image must never be attached writable to a running VM: it would corrupt ` +
      `every clone. Shut that VM down (qq2clone check names it). ${e.message}`,
    e.failure,
  );
}
