/**
 * Live usage in the tree, in the extension host, on two real clones of the test guest: clone 1 runs a busy loop
 * started through the agent, clone 2 idles. Their descriptions show CPU (percent of the vCPU: what it got plus
 * what it waited for a host CPU) and memory, the busy one marked; the template row sums them; tooltips carry disk
 * and network rates; memory agrees with virsh domstats; nothing is read while the view is hidden.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { guestExec } from '../guest';
import { bootAll } from '../guest/bootAll';
import { virsh } from '../testbed';
import { CloneBed, figure } from './util/cloneBed';
import { waitFor } from './util/extension';
import { guestTemplate } from './util/guestTemplate';
import { cpuText } from '../../src/libvirt/stats';
import type { UsagePanel } from '../../src/extension/panel/usagePanel';

describe('usage: live figures in the tree (real guests)', function () {
  this.timeout(900_000);
  let b: CloneBed;
  let names: string[];
  const description = (id: number): string => String(b.api.tree.treeItem(b.cloneNode(id)).description ?? '');

  before(async () => {
    b = await CloneBed.open('xusage', (bed, dir) => guestTemplate(bed, dir, 'g'));
    await b.set('runAfterClone', true);
    await b.makeClones(2);
    names = [1, 2].map((id) => b.cloneNode(id).clone.name);
    await bootAll(names);
    await guestExec(names[0]!, ['sh', '-c', '(while :; do :; done) </dev/null >/dev/null 2>&1 &']);
    await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
    await vscode.commands.executeCommand('qq2clone.refresh');
    await b.set('usage.refreshSeconds', 3);
  });
  after(async () => b?.close());

  it('the busy clone shows near 100% of its vCPU and is marked, the idle one near 0; the template sums them', async () => {
    // The address from the agent follows the figures.
    const busy = await waitFor('clone 1 at full CPU', () => {
      const m = /^running · CPU (\d+)% · (\d+) MiB · full CPU( · 10\.0\.2\.15)?$/.exec(description(1));
      return m ? { cpu: Number(m[1]), mib: Number(m[2]) } : undefined;
    }, 120_000).catch((e: unknown) => {
      throw new Error(`${String(e)}; clone 1 shows "${description(1)}", clone 2 "${description(2)}"`);
    });
    assert.ok(busy.cpu >= 90, description(1));
    const idle = await waitFor('clone 2 with figures', () => {
      const m = /^running · CPU (\d+)% · (\d+) MiB( · 10\.0\.2\.15)?$/.exec(description(2));
      return m ? { cpu: Number(m[1]), mib: Number(m[2]) } : undefined;
    });
    const got = b.api.tree.usage.latest!.domains.get(names[1]!)!;
    assert.ok(got.cpuPercent <= 5 && idle.cpu <= 25, `${description(2)}: ${JSON.stringify(got)}`);
    // Memory: the QEMU process's resident size, as virsh domstats reads it now (within 10%).
    for (const [i, shown] of [busy.mib, idle.mib].entries()) {
      const rss = Number(/balloon\.rss=(\d+)/.exec(virsh('domstats', '--balloon', names[i]!))![1]) / 1024;
      assert.ok(Math.abs(shown - rss) <= rss * 0.1, `clone ${i + 1}: shown ${shown} MiB, domstats ${rss} MiB`);
    }
    const tpl = String(b.api.tree.treeItem(b.templateNode()!).description);
    assert.match(tpl, /^2 clones · CPU \d+% · \d+ MiB · full CPU$/);
    // The CPU line is the figures of the sample the tooltip was made from: the wait for a host CPU is shown when
    // there was some (a loaded host), and only then. Read again if a new sample came in while the tooltip was made.
    const { tip, sample } = await waitFor('a tooltip made from one sample', async () => {
      const before = b.api.tree.usage.latest;
      const text = await b.api.tree.tooltip(b.cloneNode(1));
      return b.api.tree.usage.latest === before ? { tip: text, sample: before!.domains.get(names[0]!)! } : undefined;
    });
    assert.match(tip, /^- CPU: \d+%( \(\+\d+% waiting\))? of 1 vCPU$/m);
    assert.ok(tip.includes(`\n- CPU: ${cpuText(sample)} of 1 vCPU\n`), `wait ${sample.cpuWaitPercent}%: ${tip}`);
    assert.match(tip, /^- Memory: \d+ MiB \(QEMU process; 128 MiB given\)$/m);
    assert.match(tip, /^- Disk: read [\d.]+ [KMG]?i?B\/s, write [\d.]+ [KMG]?i?B\/s$/m);
    assert.match(tip, /^- Network: receive [\d.]+ [KMG]?i?B\/s, send [\d.]+ [KMG]?i?B\/s$/m);
    assert.match(tip, /^- \*\*full CPU\*\*$/m);
    assert.match(await b.api.tree.tooltip(b.templateNode()!), /^- CPU: \d+%.* of 2 vCPUs$/m);
    figure(`usage in the tree: clone 1 "${description(1)}", clone 2 "${description(2)}", template "${tpl}"`);
  });

  it('nothing is read while the view is hidden; shown again, reading resumes', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const before = b.api.tree.usage.reads;
      await new Promise((r) => setTimeout(r, 8000));
      assert.equal(b.api.tree.usage.reads, before, 'no read while hidden');
    } finally {
      await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
    }
    const shown = b.api.tree.usage.reads;
    await waitFor('a read after the view is shown', () => (b.api.tree.usage.reads > shown ? true : undefined), 30_000);
  });

  it('Show Usage (a clone\'s menu) opens the panel, which is sent frames and keeps them read while the view is hidden; its click selects the clone', async () => {
    const panel = await vscode.commands.executeCommand<UsagePanel>('qq2clone.showUsage', b.cloneNode(1));
    try {
      await waitFor('frames posted to the panel', () => (panel.posted >= 2 ? true : undefined), 60_000);
      await vscode.commands.executeCommand('workbench.view.explorer');
      const reads = b.api.tree.usage.reads;
      await waitFor('reads while only the panel is visible', () => (b.api.tree.usage.reads > reads + 1 ? true : undefined), 30_000);
      await vscode.commands.executeCommand('workbench.view.extension.qq2clone');
      await panel.select({ type: 'select', name: names[1]! });
      await waitFor('clone 2 selected in the tree', () => (b.api.tree.selection.length === 1 && b.api.tree.selection[0] === b.cloneNode(2) ? true : undefined));
    } finally {
      panel.dispose();
    }
  });
});
