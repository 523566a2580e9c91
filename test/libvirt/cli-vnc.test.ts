/**
 * qq2clone vnc SET on real clones of tiny domains: a running clone with a VNC display on 127.0.0.1 prints its
 * number, name and 127.0.0.1:PORT (the port libvirt gave, from the live XML); one with a VNC socket prints the
 * socket; a template without graphics says why on stderr and exits 16; a SET of no running clone is exit 12.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { TestBed, TEST_URI, virsh } from '../testbed';

const VNC_TCP = "    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n";
const VNC_SOCKET = "    <graphics type='vnc'><listen type='socket'/></graphics>\n";

describe('qq2clone vnc (CLI)', function () {
  this.timeout(300_000);
  let bed: TestBed;
  let cliJs: string;
  const tpl: Record<string, string> = {};

  const q = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cliJs, ...args], { env: { ...process.env, QQ2CLONE_HOME: bed.root, LIBVIRT_DEFAULT_URI: TEST_URI }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    bed = new TestBed('clivnc');
    cliJs = path.join(bed.root, 'cli.js');
    await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cliJs, logLevel: 'silent' });
    fs.writeFileSync(path.join(bed.root, 'config.json'), JSON.stringify({ NORUN: '1' }));
    for (const [short, devices] of [['tcp', VNC_TCP], ['sock', VNC_SOCKET], ['none', '']] as const) {
      tpl[short] = bed.makeTemplateFile(path.join(bed.root, 'templates'), short, devices).name;
      const r = q('-t', tpl[short]!, 'clone', '1');
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => bed?.cleanup());

  it('prints NUMBER NAME 127.0.0.1:PORT, or the socket; says why for a clone without VNC', () => {
    const off = q('-t', tpl.tcp!, 'vnc', 'all');
    assert.equal(off.code, 12, `no running clone is a usage error: ${off.stderr}`);
    for (const t of Object.values(tpl)) assert.equal(q('-t', t, 'start', '1').code, 0);
    const name = (t: string) => q('-t', t, 'list').stdout.trim().split(/\s+/)[1]!;
    const tcp = q('-t', tpl.tcp!, 'vnc', 'all');
    assert.equal(tcp.code, 0, tcp.stderr);
    const port = /<graphics type='vnc' port='(\d+)'/.exec(virsh('dumpxml', name(tpl.tcp!)))![1];
    assert.equal(tcp.stdout, `1 ${name(tpl.tcp!)} 127.0.0.1:${port}\n`);
    const sock = q('-t', tpl.sock!, 'vnc', '1');
    assert.equal(sock.code, 0, sock.stderr);
    const m = new RegExp(`^1 ${name(tpl.sock!)} (/\\S+)\\n$`).exec(sock.stdout);
    assert.ok(m && fs.statSync(m[1]!).isSocket(), sock.stdout);
    const none = q('-t', tpl.none!, 'vnc', '1');
    assert.equal(none.code, 16);
    assert.match(none.stderr, /no graphics device/);
  });
});
