/**
 * Warns once per connection when libvirt's QEMU user cannot open /dev/kvm: every libvirt call is then slow (libvirt
 * probes QEMU again each time), and the user should learn why from the product, with the fix, not guess.
 */
import type * as vscode from 'vscode';
import { kvmAccessProblem } from '../../libvirt/check';
import { prompts } from '../ui/prompts';

const warned = new Set<string>();

/** Checks the connection's /dev/kvm access and, the first time a problem is seen for that URI, says so. */
export async function warnIfKvmUnusable(uri: string, output: vscode.LogOutputChannel): Promise<void> {
  if (warned.has(uri)) return;
  const problem = await kvmAccessProblem(uri).catch(() => undefined);
  if (!problem) return;
  warned.add(uri);
  output.warn(problem);
  void prompts.notify('warning', `qq2clone: libvirt will be slow. ${problem}`);
}
