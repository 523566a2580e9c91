import type { CliCommand } from '../shared';
import type { CliContext } from '../../context';
import { UsageError } from '../../../core/errors';
import { renameTemplate, requireTemplate } from '../../../libvirt/templates';
import { commitImage, destroyImage, discardImage, prepareImage } from '../../../libvirt/clones';
import { confirm } from '../shared';
import { editTemplateXml } from './editTemplate';
import { expectArgs } from '../shared';
import { parsePolicyArgs } from '../policy';
import { describePolicy, withTemplatePolicy } from '../../../libvirt/policy';
import { cliTemplateDeps } from './cliTemplateDeps';
import { identityOptions, readPublicKey } from '../clones';
import { setTemplateIdentity } from '../../../libvirt/identity';
import { DEFAULT_HOSTNAME_PATTERN } from '../../../core/hostnamePattern';

const USAGE = 'NAME prepare-image|commit-image|destroy-image|discard-image|edit|rename NEW-NAME|policy keep|reset|remove [--on REASON,...]|identity on [--hostname PATTERN] [--authorize PUBKEYFILE]|identity off';

type Sub = (ctx: CliContext, name: string, rest: readonly string[]) => Promise<void>;

const subs: Record<string, Sub> = {
  async 'prepare-image'(ctx, name) {
    const { staging, created } = await prepareImage(ctx.service(), name, ctx.signal);
    ctx.out.info(`${created ? 'Created and started' : 'Started'} the staging image ${staging.name} of ${name}.`);
    ctx.out.info(`Make your changes in it, shut it down from inside the guest, then: modify-template ${name} commit-image`);
  },
  async 'commit-image'(ctx, name) {
    const r = await commitImage(ctx.service(), name, ctx.signal);
    for (const i of r.images) ctx.out.info(`Template ${name} (${i.target}) now uses generation ${i.generation}: ${i.image}`);
    if (r.clonesOnOldImage) ctx.out.info(`${r.clonesOnOldImage} existing clone(s) keep the image they were made from.`);
    for (const d of r.deleted) ctx.out.info(`Deleted the unused previous generation ${d}.`);
    if (r.kept) ctx.out.info(r.kept);
  },
  async 'destroy-image'(ctx, name) {
    const warning =
      `destroy-image pulls the plug on the staging image of ${name}: unwritten data is lost and its disk may be ` +
      `left inconsistent, and a later commit-image makes that permanent in the template.`;
    ctx.out.error(warning);
    if (ctx.io.stdinIsTTY) {
      // On a terminal it asks first; -q suppresses the question, and the safe answer is no.
      if (!ctx.canAsk) throw new UsageError('Not destroyed: destroy-image asks for confirmation on a terminal and -q (QUIET=1) suppresses the question; run it without -q to confirm.');
      if (!(await confirm(ctx, 'Force it off anyway?'))) throw new UsageError('Not destroyed.');
    }
    await destroyImage(ctx.service(), name, ctx.signal);
    ctx.out.info(`The staging image of ${name} is off.`);
  },
  async 'discard-image'(ctx, name) {
    const removed = await discardImage(ctx.service(), name, ctx.signal);
    ctx.out.info(`Discarded the staging image of ${name}${removed.length ? ` (deleted ${removed.join(', ')})` : ''}.`);
  },
  async edit(ctx, name) {
    await editTemplateXml(ctx, name);
  },
  async policy(ctx, name, rest) {
    const policy = parsePolicyArgs('modify-template NAME policy', rest);
    const svc = ctx.service();
    await svc.writeTemplateXml(name, withTemplatePolicy(await svc.templateXml(name), policy));
    ctx.out.info(`New clones of ${name} get the power-off policy ${describePolicy(policy)}; existing clones keep theirs (set them with policy SET).`);
  },
  async identity(ctx, name, rest) {
    const [onOff, ...opts] = rest;
    if (onOff !== 'on' && onOff !== 'off') throw new UsageError(`modify-template NAME identity takes on [--hostname PATTERN] [--authorize PUBKEYFILE] or off.`);
    if (onOff === 'off') {
      expectArgs('modify-template NAME identity off', '', opts, 0);
      await setTemplateIdentity(ctx.service(), name, undefined, ctx.signal);
      ctx.out.info(`New clones of ${name} are copies of it again (same hostname, machine-id and host keys).`);
      return;
    }
    const o = identityOptions(opts);
    const key = o.authorize !== undefined ? readPublicKey(o.authorize) : undefined;
    const hostname = o.hostname ?? DEFAULT_HOSTNAME_PATTERN;
    await setTemplateIdentity(ctx.service(), name, { hostname, ...(key ? { authorizedKey: key } : {}) }, ctx.signal);
    ctx.out.info(`New clones of ${name} get their own identity: hostname ${hostname}, a fresh machine-id and SSH host keys${key ? ', and your key authorized' : ''}.`);
  },
  async rename(ctx, name, rest) {
    expectArgs('modify-template NAME rename', 'NEW-NAME', rest, 1);
    const r = await renameTemplate(cliTemplateDeps(ctx), name, rest[0]!, ctx.signal);
    ctx.out.info(`Renamed template ${name} to ${r.name}.`);
    for (const m of r.messages) ctx.out.info(m);
  },
};

/** qq2clone modify-template NAME SUB-COMMAND [ARG]... */
export const modifyTemplateCliCommand: CliCommand = {
  name: 'modify-template',
  usage: USAGE,
  summary:
    'Stage image changes in a staging clone (prepare-image), fold them into a new image generation (commit-image), force it off (destroy-image) or drop it (discard-image); edit the XML; rename the template and its clones; set the power-off policy its new clones inherit (policy); give its new clones their own hostname, machine-id and SSH host keys (identity on|off).',
  // Manual, -Q: "modify-template edit" keeps its output (it is interactive); the other sub-commands are silent.
  speaksUnderQuieter: (args) => args[1] === 'edit',
  async run(ctx, args) {
    if (args.length < 2) throw new UsageError(`modify-template takes ${USAGE}.`);
    const [name, sub, ...rest] = args as [string, string, ...string[]];
    const run = subs[sub];
    if (!run) throw new UsageError(`Unknown modify-template sub-command '${sub}': use ${USAGE.slice(5)}.`);
    await requireTemplate(ctx.service(), name);
    if (sub !== 'rename' && sub !== 'policy' && sub !== 'identity') expectArgs(`modify-template NAME ${sub}`, '', rest, 0);
    await run(ctx, name, rest);
  },
};
