/**
 * Waits for booted clones of the test guest; one whose agent has not come up by `firstWaitMs` is restarted
 * (destroy, start) once and waited for again. On a heavily loaded machine a boot of the guest sometimes never
 * reaches its agent (seen for one of three clones at load 20-30, with or without anything else talking to it).
 */
import { execFileSync } from 'node:child_process';
import { waitForGuest } from './agent';

const URI = process.env.QQ2CLONE_TEST_URI ?? 'qemu:///system';

export async function bootAll(domains: readonly string[], firstWaitMs = 240_000, secondWaitMs = 300_000): Promise<void> {
  const first = await Promise.allSettled(domains.map((d) => waitForGuest(d, firstWaitMs)));
  const again = domains.filter((_, i) => first[i]!.status === 'rejected');
  for (const d of again) {
    execFileSync('virsh', ['-q', '-c', URI, 'destroy', d], { stdio: 'ignore' });
    execFileSync('virsh', ['-q', '-c', URI, 'start', d], { stdio: 'ignore' });
  }
  await Promise.all(again.map((d) => waitForGuest(d, secondWaitMs)));
}
