import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloneInfo } from '../../src/libvirt/api';
import type { CloneState } from '../../src/core/states';
import { runningCount, statusBarHostsText, statusBarText } from '../../src/extension/status/statusBarText';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown?: string; image?: string }; completionEvents: string[] }[] }[];
  };
};

describe('the walkthrough', () => {
  const w = pkg.contributes.walkthroughs.find((x) => x.id === 'firstSteps');

  it('leads through template (demo or import), clone, start, exec and XML editing', () => {
    assert.ok(w, 'walkthrough firstSteps');
    assert.deepEqual(w.steps.map((s) => s.id), ['template', 'clone', 'start', 'exec', 'editXml']);
    assert.match(w.steps[0]!.description, /demo/);
    assert.match(w.steps[0]!.description, /command:qq2clone\.importTemplate/);
  });

  it('links and completes on contributed commands only, and its media exist (images they show too)', () => {
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const s of w!.steps) {
      const links = [...s.description.matchAll(/\(command:(qq2clone\.[\w.]+)/g)].map((m) => m[1]!);
      const events = s.completionEvents.map((e) => /^onCommand:(.+)$/.exec(e)?.[1]).filter((c): c is string => !!c);
      assert.deepEqual([...links, ...events].filter((c) => !contributed.has(c)), [], s.id);
      const media = s.media.markdown ?? s.media.image;
      assert.ok(media && fs.existsSync(path.join(root, media)), `${s.id}: ${media}`);
      if (s.media.markdown) {
        const text = fs.readFileSync(path.join(root, s.media.markdown), 'utf8');
        for (const m of text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
          assert.ok(fs.existsSync(path.join(root, path.dirname(s.media.markdown), m[1]!)), `${s.id}: image ${m[1]}`);
        }
      }
    }
  });
});

const clone = (id: number, state: CloneState, staging = false): CloneInfo =>
  ({ id, name: `c${id}`, template: 't', uuid: `u${id}`, state, reason: '', saved: false, ...(staging ? { staging } : {}) }) as CloneInfo;

describe('the status bar entry', () => {
  it('counts clones that run (not paused, saved, off, nor the staging clone)', () => {
    const clones = [clone(1, 'running'), clone(2, 'idle'), clone(3, 'paused'), clone(4, 'off'), clone(5, 'saved'), clone(0, 'running', true)];
    assert.equal(runningCount(clones), 2);
    const s = statusBarText('qemu:///system', clones);
    assert.equal(s.text, '$(vm-running) qemu:///system: 2 running');
    assert.match(s.tooltip, /connected to qemu:\/\/\/system; 2 of 5 clones running\.\nClick to show the qq2clone view\./);
  });

  it('says when libvirt cannot be used, and before the first read', () => {
    assert.match(statusBarText('qemu:///system', undefined, 'daemon down').text, /qemu:\/\/\/system: unavailable$/);
    assert.match(statusBarText('qemu:///system', undefined, 'daemon down').tooltip, /cannot be used: daemon down/);
    assert.match(statusBarText('qemu:///system', undefined).tooltip, /connecting/);
  });

  it('counts per host when there are several, and says which one cannot be used', () => {
    const one = { label: 'qemu:///system', uri: 'qemu:///system', clones: [clone(1, 'running')] };
    assert.deepEqual(statusBarHostsText([one]), statusBarText('qemu:///system', one.clones));
    const s = statusBarHostsText([
      { label: 'here', uri: 'qemu:///system', clones: [clone(1, 'running'), clone(2, 'off')] },
      { label: 'lab', uri: 'qemu+ssh://u@lab/system', clones: undefined, unavailable: 'ssh cannot reach u@lab' },
      { label: 'far', uri: 'qemu+ssh://u@far/system', clones: undefined },
    ]);
    assert.equal(s.text, '$(vm-outline) here: 1 running · lab: unavailable · far: …');
    assert.match(s.tooltip, /here \(qemu:\/\/\/system\): 1 of 2 clones running\nlab \(qemu\+ssh:\/\/u@lab\/system\) cannot be used: ssh cannot reach u@lab\nfar \(qemu\+ssh:\/\/u@far\/system\): connecting…/);
  });
});
