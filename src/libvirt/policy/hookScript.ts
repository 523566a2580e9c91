/**
 * The qemu hook script (pure text). It follows libvirt's rules for hooks: it never calls libvirt (the daemon
 * waits for it), prints nothing (qemu.d scripts are XML filters at migrate and restore: empty output keeps the XML),
 * always exits 0, and at a start it only writes its note and exits without reading stdin (libvirt's
 * virCommandProcessIO ignores the EPIPE of a child that closed stdin early). Only at `release` of a domain
 * whose XML carries our namespace and a policy does it save the XML and start a detached worker, whose output goes
 * nowhere (libvirt would otherwise wait for it), then return at once. Every call leaves a note (the daemon's pid,
 * its parent) so that `hook status` can tell that the running daemon uses the hook.
 */
import { CLONE_NS } from '../domain';

/** The marker line that says a hook file is ours (install refuses to overwrite anything else). */
export const HOOK_MARKER = '# qq2clone power-off policy hook';

export interface HookScriptValues {
  /** Directory of the worker, the note, the queue and the action log. */
  readonly stateDir: string;
  /** Node.js to run the worker with (install puts one that only root can change here: see install.ts). */
  readonly node: string;
  /** The installer's libvirt URI: not used by the script, whose worker always talks to the daemon that ran it. */
  readonly uri: string;
  /** The template directory (rm never deletes a template's disk). */
  readonly templateDir: string;
}

/** The daemon that runs the hook: the system one (a session daemon never runs /etc/libvirt/hooks). */
export const SYSTEM_URI = 'qemu:///system';

/** Single-quotes a value for sh. */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(v: HookScriptValues): string {
  return `#!/bin/sh
${HOOK_MARKER} (installed by \`qq2clone hook install\`; \`qq2clone hook uninstall\` removes it).
# Never calls libvirt, prints nothing, exits 0. Arguments: DOMAIN OPERATION SUB-OPERATION EXTRA.
STATE=${shQuote(v.stateDir)}
printf '%s\\n' "$PPID" 2>/dev/null >"$STATE/hook-note"
[ "$2" = release ] || exit 0
xml=$(cat) || exit 0
case $xml in *${shQuote(CLONE_NS)}*) ;; *) exit 0 ;; esac
case $xml in *':policy '*|*'<policy '*) ;; *) exit 0 ;; esac
f="$STATE/queue/$$.xml"
printf '%s' "$xml" 2>/dev/null >"$f" || exit 0
NODE=${shQuote(v.node)}
export QQ2CLONE_URI=${shQuote(SYSTEM_URI)} QQ2CLONE_TEMPLATE_DIR=${shQuote(v.templateDir)} QQ2CLONE_HOOK_STATE="$STATE"
( "$NODE" "$STATE/hook-worker.js" "$f" "$4" "$$" </dev/null >/dev/null 2>&1 & )
exit 0
`;
}
