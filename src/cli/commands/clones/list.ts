import type { CliCommand } from '../shared';
import { expectArgs } from '../shared';
import type { CliContext } from '../../context';
import type { CloneInfo, Inventory } from '../../../libvirt/api';
import { Qq2Error, UsageError } from '../../../core/errors';
import { inventoryXml, type XmlAddresses } from '../../listXml';
import { imageReport } from '../../../libvirt/templates';
import { operationAccepts } from '../../../core/operations';
import { forEachBounded } from '../../../core/limit';

/** The addresses of the running clones (read a few at a time). */
async function runningAddresses(ctx: CliContext, inv: Inventory): Promise<XmlAddresses> {
  const { serviceAddressReader } = await import('../../../libvirt/guests');
  const read = serviceAddressReader(ctx.service());
  const found = new Map<string, Awaited<ReturnType<typeof read>>>();
  const running = inv.clones.filter((c) => !c.staging && operationAccepts('ip', c.state));
  await forEachBounded(running, 4, async (c) => void found.set(c.uuid, await read(c.uuid, ctx.signal)), ctx.signal);
  return found;
}

/** Aligned rows "NUMBER  NAME  STATE", in number order. */
export function cloneRows(clones: readonly CloneInfo[], indent = ''): string {
  const sorted = clones.filter((c) => !c.staging).sort((a, b) => a.id - b.id);
  const idWidth = Math.max(0, ...sorted.map((c) => String(c.id).length));
  const nameWidth = Math.max(0, ...sorted.map((c) => c.name.length));
  return sorted.map((c) => `${indent}${String(c.id).padStart(idWidth)}  ${c.name.padEnd(nameWidth)}  ${c.state}\n`).join('');
}

/** Every template (also those without clones, and templates named only by clones whose file is gone). */
function listAll(inv: Inventory): string {
  const names = [...new Set([...inv.templates.map((t) => t.name), ...inv.clones.map((c) => c.template)])].sort();
  return names
    .map((name) => {
      const file = inv.templates.find((t) => t.name === name);
      const note = !file ? ' (template file missing)' : file.problem ? ` (${file.problem})` : '';
      const rows = cloneRows(inv.clones.filter((c) => c.template === name), '  ');
      return `${name}${note}\n${rows || '  (no clones)\n'}`;
    })
    .join('');
}

async function listCurrent(ctx: CliContext): Promise<void> {
  const { template, clones } = await ctx.templateClones();
  const rows = cloneRows(clones);
  if (rows) ctx.out.result(rows);
  else ctx.out.info(`Template '${template}' has no clones.`);
}

/** qq2clone list [all|xml] */
export const listCliCommand: CliCommand = {
  name: 'list',
  usage: '[all|xml]',
  summary: "List the current template's clones (number, name, state); all: every template's; xml: one XML document (with addresses).",
  speaksUnderQuieter: true,
  sessions: 1,
  async run(ctx, args) {
    expectArgs('list', '[all|xml]', args, 0, 1);
    const mode = args[0];
    if (mode === undefined) return listCurrent(ctx);
    if (mode !== 'all' && mode !== 'xml') throw new UsageError(`list takes 'all' or 'xml'; got '${mode}'.`);
    const inv = await ctx.service().inventory(ctx.signal);
    if (mode === 'all') return ctx.out.result(listAll(inv));
    const images = await imageReport(ctx.service(), inv, ctx.signal);
    // guest/ and identity/ (with libguestfs) are loaded for the XML document only, not for list and list all.
    const { cloneIdentities } = await import('../../../libvirt/identity');
    const identities = await cloneIdentities(ctx.service(), inv.clones.filter((c) => !c.staging).map((c) => c.uuid), ctx.signal);
    ctx.out.result(inventoryXml(inv, images, await runningAddresses(ctx, inv), identities));
    // A generation that could not be read is left out of the document: say which and why, and exit with its code.
    const unread = [...images.unread];
    if (unread.length) {
      const names = new Map(inv.clones.map((c) => [c.uuid, c.name]));
      throw new Qq2Error(
        `Could not read the image generation of ${unread.map(([u, e]) => `${names.get(u) ?? u} (${e.message})`).join(', ')}.`,
        unread[0]![1].exitCode,
      );
    }
  },
};
