/** Whether libvirt's QEMU user can open /dev/kvm, decided from mode bits and the account files (temp copies). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { accountOf, canOpen, kvmAccessProblem, qemuUserSetting } from '../../src/libvirt/check/kvmAccess';
import { describeSlowCall, noteCallDuration, onSlowCall, SLOW_CALL_MS } from '../../src/libvirt/process/slowCalls';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nlibvirt-qemu:x:64055:108:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin\n';
const GROUP = (kvmMembers: string) => `root:x:0:\nkvm:x:104:${kvmMembers}\nlibvirt-qemu:x:108:libvirt-qemu\n`;

describe('/dev/kvm access of the QEMU user', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qqkvm-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function files(mode: number, gid: number, kvmMembers: string, qemuConf = '') {
    const device = path.join(dir, 'kvm');
    fs.writeFileSync(device, '');
    fs.chmodSync(device, mode);
    fs.chownSync(device, 0, gid);
    fs.writeFileSync(path.join(dir, 'passwd'), PASSWD);
    fs.writeFileSync(path.join(dir, 'group'), GROUP(kvmMembers));
    fs.writeFileSync(path.join(dir, 'qemu.conf'), qemuConf);
    return { device, passwd: path.join(dir, 'passwd'), group: path.join(dir, 'group'), qemuConf: path.join(dir, 'qemu.conf') };
  }

  it('reads accounts with their supplementary groups', () => {
    assert.deepEqual(accountOf('libvirt-qemu', PASSWD, GROUP('libvirt-qemu')), { name: 'libvirt-qemu', uid: 64055, gids: [108, 104] });
    assert.equal(accountOf('nobody', PASSWD, GROUP('')), undefined);
    assert.equal(qemuUserSetting('#user = "root"\nuser = "qemu"\n'), 'qemu');
    assert.equal(qemuUserSetting('#user = "root"\n'), undefined);
  });

  it('decides by owner, group and other bits', () => {
    const q = { name: 'q', uid: 5, gids: [104] };
    assert.equal(canOpen({ mode: 0o20600, uid: 0, gid: 0 }, q), false);
    assert.equal(canOpen({ mode: 0o20660, uid: 0, gid: 104 }, q), true);
    assert.equal(canOpen({ mode: 0o20640, uid: 0, gid: 104 }, q), false);
    assert.equal(canOpen({ mode: 0o20666, uid: 0, gid: 0 }, q), true);
    assert.equal(canOpen({ mode: 0o20600, uid: 5, gid: 0 }, q), true);
    assert.equal(canOpen({ mode: 0o20600, uid: 0, gid: 0 }, { name: 'root', uid: 0, gids: [0] }), true);
  });

  it('root-only /dev/kvm is reported for qemu:///system with the fix', async () => {
    const p = await kvmAccessProblem('qemu:///system', files(0o600, 0, 'libvirt-qemu'));
    assert.ok(p);
    assert.match(p, /mode 600, owner root, group root: libvirt's QEMU user libvirt-qemu cannot open it/);
    assert.match(p, /chgrp kvm \/dev\/kvm && chmod 0660 \/dev\/kvm/);
  });

  it('group kvm 0660 with the QEMU user in kvm is fine; not in kvm is reported', async () => {
    assert.equal(await kvmAccessProblem('qemu:///system', files(0o660, 104, 'libvirt-qemu')), undefined);
    assert.match((await kvmAccessProblem('qemu:///system', files(0o660, 104, ''))) ?? '', /group kvm: .* libvirt-qemu cannot open/);
  });

  it('follows qemu.conf user, and says nothing for remote URIs or without /dev/kvm', async () => {
    assert.equal(await kvmAccessProblem('qemu:///system', files(0o600, 0, '', 'user = "root"\n')), undefined);
    assert.equal(await kvmAccessProblem('qemu+ssh://h/system', files(0o600, 0, '')), undefined);
    const f = files(0o600, 0, '');
    fs.rmSync(f.device);
    assert.equal(await kvmAccessProblem('qemu:///system', f), undefined);
  });
});

describe('slow libvirt calls', () => {
  it('reports virsh calls from the threshold on, named without the connection options', () => {
    const seen: string[] = [];
    const stop = onSlowCall((c) => seen.push(describeSlowCall(c)));
    try {
      noteCallDuration('virsh', ['-q', '-c', 'qemu:///system', 'define', '/tmp/x.xml'], SLOW_CALL_MS + 56_100);
      noteCallDuration('virsh', ['-q', '-c', 'qemu:///system', 'list'], SLOW_CALL_MS - 1);
      noteCallDuration('virsh', ['-c', 'qemu:///system', 'managedsave', 'x'], 60_000);
      noteCallDuration('qemu-img', ['convert', 'a', 'b'], 60_000);
      noteCallDuration('virsh', ['dumpxml', '--inactive', '--security-info', 'name-of-domain'], 4000);
    } finally {
      stop();
    }
    noteCallDuration('virsh', ['define', 'y'], 60_000);
    assert.deepEqual(seen, ['virsh define /tmp/x.xml took 59.1 s', 'virsh dumpxml --inactive --security-info ... took 4.0 s']);
  });
});
