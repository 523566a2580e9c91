/**
 * qq2clone identity SET [--hostname PATTERN] [--authorize PUBKEYFILE]: gives the clones in SET (off, no saved state)
 * a new identity, all in one libguestfs appliance: hostname by PATTERN (default: the clone's identity setting, its
 * template's, or {template}-{number}), a fresh machine-id, fresh SSH host keys pinned under each clone's UUID in
 * qq2clone's known-hosts file, and the key of PUBKEYFILE authorized for the login user.
 */
import * as fs from 'node:fs';
import type { CliCommand } from '../shared';
import { CancelledError, hintOf, Qq2Error, UsageError } from '../../../core/errors';
import { parseSetOrThrow } from '../../../core/set';

const USAGE = 'SET [--hostname PATTERN] [--authorize PUBKEYFILE]';

/** --hostname and --authorize (each as "--x VALUE" or "--x=VALUE"); modify-template NAME identity on takes them too. */
export function identityOptions(args: readonly string[]): { hostname?: string; authorize?: string } {
  const out: { hostname?: string; authorize?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(hostname|authorize)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new UsageError(`identity takes ${USAGE}; '${args[i]}' is not one of its options.`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`identity: --${m[1]} needs a value.`);
    out[m[1] as 'hostname' | 'authorize'] = value;
  }
  return out;
}

/** The public key line of a .pub file (UsageError when it cannot be read). */
export function readPublicKey(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`Cannot read the public key file ${file}: ${(e as Error).message}`);
  }
}

export const identityCliCommand: CliCommand = {
  name: 'identity',
  usage: USAGE,
  summary:
    'Give the clones in SET (off) a new identity: hostname by PATTERN ({template}, {number}, {name}), a fresh machine-id and SSH host keys (pinned for qq2clone ssh), and the public key of PUBKEYFILE authorized.',
  async run(ctx, args) {
    if (args.length < 1) throw new UsageError(`identity takes ${USAGE}.`);
    const opts = identityOptions(args.slice(1));
    const set = parseSetOrThrow(args[0]!);
    const key = opts.authorize !== undefined ? readPublicKey(opts.authorize) : undefined;
    const chosen = await ctx.clonesInSet(set, { command: 'identity', accepts: (c) => c.state === 'off' && !c.saved });
    const refs = chosen.map(({ template, id, uuid, name }) => ({ template, id, uuid, name }));
    const svc = ctx.service();
    // Loaded here, not with the clones/ group: identity/ brings libguestfs, which list and clone do not need.
    const { cloneIdentities, giveNewIdentity } = await import('../../../libvirt/identity');
    const r = await giveNewIdentity(svc, refs, {
      signal: ctx.signal,
      ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
      ...(key !== undefined ? { authorizedKey: key } : {}),
    });
    const written = await cloneIdentities(svc, r.done.map((c) => c.uuid), ctx.signal);
    for (const c of r.done) {
      const w = written.get(c.uuid);
      ctx.out.info(`New identity for ${c.id} (${c.name})${w ? `: hostname ${w.hostname}${w.keys.map((k) => `, host key ${k.fingerprint}`).join('')}` : ''}.`);
    }
    for (const s of r.skipped) ctx.out.info(`Skipped ${s.clone.id} (${s.clone.name}): ${s.reason}`);
    for (const f of r.failed) ctx.out.error(`identity ${f.clone.id} (${f.clone.name}): ${f.error.message}`);
    for (const h of new Set(r.failed.map((f) => hintOf(f.error)))) if (h) ctx.out.error(h);
    if (r.cancelled.length) throw new CancelledError(`Cancelled; not done: ${r.cancelled.map((c) => c.id).join(',')}.`);
    const first = r.failed[0];
    if (first) throw new Qq2Error(`identity failed for ${r.failed.length} of ${refs.length} machines.`, first.error.exitCode);
  },
};
