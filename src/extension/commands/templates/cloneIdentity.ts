/**
 * Clone Identity...: on a template, turns on (hostname pattern, fresh machine-id and SSH host keys, optionally the
 * user's public key authorized) or off the identity each new clone gets. Import Template offers it too (askIdentity).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asQq2Error } from '../../../core/errors';
import { DEFAULT_HOSTNAME_PATTERN, hostnamePatternProblem } from '../../../core/hostnamePattern';
import type { IdentitySetting } from '../../../libvirt/domain';
import { identityOf } from '../../../libvirt/domain';
import { setTemplateIdentity } from '../../../libvirt/identity';
import { prompts } from '../../ui/prompts';
import { guestSettings } from '../guests/guestSettings';
import type { CommandContext, CommandDefinition } from '../types';
import { argsOf, chooseTemplate } from './shared';

const TITLE = 'Clone Identity';

/** The public key offered: qq2clone.ssh.identityFile's .pub, else ~/.ssh/id_ed25519.pub (undefined: none readable). */
function defaultPublicKey(): { file: string; key: string } | undefined {
  const key = guestSettings().ssh.identityFile;
  for (const file of [key ? `${key}.pub` : undefined, path.join(os.homedir(), '.ssh', 'id_ed25519.pub')]) {
    if (!file) continue;
    try {
      return { file, key: fs.readFileSync(file, 'utf8').trim() };
    } catch {
      // not readable: the next one
    }
  }
  return undefined;
}

/** Asks on or off, the pattern and whether to authorize the user's key; undefined when cancelled. */
async function askSetting(current: IdentitySetting | undefined): Promise<IdentitySetting | 'off' | undefined> {
  const on = await prompts.quickPick(
    [
      { label: 'On', description: 'Each new clone gets its own hostname, machine-id and SSH host keys (Linux guests)', on: true },
      { label: 'Off', description: 'New clones are copies of the template (same hostname, machine-id and host keys)', on: false },
    ],
    { title: `${TITLE}${current ? ` (now on: ${current.hostname})` : ' (now off)'}` },
  );
  if (!on) return undefined;
  if (!on.on) return 'off';
  const hostname = await prompts.inputBox({
    title: `${TITLE}: hostname pattern`,
    prompt: '{template}, {number} and {name} are replaced (also written into /etc/hosts)',
    value: current?.hostname ?? DEFAULT_HOSTNAME_PATTERN,
    validateInput: (v) => hostnamePatternProblem(v),
  });
  if (hostname === undefined) return undefined;
  const pub = defaultPublicKey();
  if (!pub) return { hostname };
  const auth = await prompts.quickPick(
    [
      { label: `Authorize ${pub.file}`, description: 'for the login user: SSH in without a password', yes: true },
      { label: 'No key', description: 'only the host keys are new', yes: false },
    ],
    { title: `${TITLE}: authorize your public key?` },
  );
  if (!auth) return undefined;
  return { hostname, ...(auth.yes ? { authorizedKey: pub.key } : {}) };
}

/** Asks for and writes a template's identity setting; tells the outcome. Returns whether it changed. */
export async function askIdentity(ctx: CommandContext, template: string, given?: IdentitySetting | 'off'): Promise<boolean> {
  const svc = ctx.host.service;
  try {
    const current = identityOf(await svc.templateXml(template)).setting;
    const s = given ?? (await askSetting(current));
    if (!s) return false;
    await setTemplateIdentity(svc, template, s === 'off' ? undefined : s);
    ctx.tree.requestRefresh();
    void prompts.notify(
      'info',
      s === 'off' ? `New clones of ${template} are copies of it again.` : `New clones of ${template} get their own identity: hostname ${s.hostname}, a fresh machine-id and SSH host keys.`,
    );
    return true;
  } catch (e) {
    void prompts.notify('error', `${TITLE}: ${template}: ${asQq2Error(e).message}`);
    return false;
  }
}

/** The identity given as an argument ({ template, identity: {hostname, authorizedKey?} | 'off' }): tests, keybindings. */
function givenIdentity(node: unknown): IdentitySetting | 'off' | undefined {
  const id = (node as { identity?: unknown } | undefined)?.identity;
  if (id === 'off') return 'off';
  return id && typeof id === 'object' && typeof (id as IdentitySetting).hostname === 'string' ? (id as IdentitySetting) : undefined;
}

export const cloneIdentityCommand: CommandDefinition = {
  id: 'qq2clone.cloneIdentity',
  run: async (ctx, node?) => {
    const template = await chooseTemplate(ctx, node, TITLE);
    if (!template) return false;
    return askIdentity(ctx, template, givenIdentity(argsOf(node)));
  },
};
