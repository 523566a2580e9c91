// The CLI's template commands and check against the real daemon, in-process (runCli), without a terminal:
// exit codes of the manual, messages, and check's report-only default and --fix.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';
import { createLibvirtService } from '../../src/libvirt';
import { TEST_URI, TestBed } from '../testbed';

describe('CLI template commands (real libvirt)', function () {
  this.timeout(180000);
  let bed: TestBed;
  beforeEach(() => (bed = new TestBed('tcli')));
  afterEach(() => bed.cleanup());

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['-c', TEST_URI, ...argv], {
      io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...process.env, QQ2CLONE_HOME: bed.root }, stdinIsTTY: false },
      makeService: (c) => createLibvirtService(c),
    });
    return { code, stdout, stderr };
  }

  it('import, list, copy, rename, staging, delete and check with the manual exit codes', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'c');
    assert.equal((await cli('import-template', t.xmlPath)).code, 0);
    const again = await cli('import-template', t.xmlPath);
    assert.equal(again.code, 13);
    assert.match(again.stderr, /already exists/);
    assert.equal((await cli('import-template', t.xmlPath, 'bad/name')).code, 12);
    assert.equal((await cli('import-template', 'relative/x.xml')).code, 12);
    assert.equal((await cli('import-template')).code, 12);
    assert.equal((await cli('copy-template', t.name, `${bed.prefix}-copy`)).code, 0);
    assert.equal((await cli('list-templates')).stdout, `${t.name}\n${bed.prefix}-copy\n`);
    assert.equal((await cli('modify-template', 'nope', 'prepare-image')).code, 13);
    assert.equal((await cli('modify-template', t.name, 'frobnicate')).code, 12);

    assert.equal((await cli('-t', t.name, '-n', 'clone', '2')).code, 0);
    const refused = await cli('delete-template', t.name);
    assert.equal(refused.code, 12);
    assert.match(refused.stderr, /has 2 clone\(s\)/);

    // Bad or taken names for copy and rename, checked against the daemon's real state: 12 for a bad name, 13 for a
    // template that exists already or does not exist.
    const code = async (...a: string[]) => (await cli(...a)).code;
    for (const bad of ['bad name', 'bad/name', '../escape', '', '-dash']) {
      assert.equal(await code('copy-template', t.name, bad), 12, `copy to ${JSON.stringify(bad)}`);
      assert.equal(await code('modify-template', t.name, 'rename', bad), 12, `rename to ${JSON.stringify(bad)}`);
    }
    assert.equal(await code('copy-template', t.name, `${bed.prefix}-copy`), 13, 'copy onto an existing template');
    assert.equal(await code('modify-template', t.name, 'rename', `${bed.prefix}-copy`), 13, 'rename onto an existing template');
    assert.equal(await code('copy-template', `${bed.prefix}-nope`, `${bed.prefix}-x`), 13, 'copy of a missing template');
    assert.equal(await code('modify-template', `${bed.prefix}-nope`, 'rename', `${bed.prefix}-x`), 13, 'rename of a missing template');
    assert.equal((await cli('list-templates')).stdout, `${t.name}\n${bed.prefix}-copy\n`, 'nothing was made or renamed');
    assert.match((await cli('-t', t.name, 'list')).stdout, new RegExp(`${t.name}-1`), 'the clones kept their names');

    const renamed = `${bed.prefix}-ren`;
    assert.equal((await cli('modify-template', t.name, 'rename', renamed)).code, 0);
    assert.match((await cli('-t', renamed, 'list')).stdout, new RegExp(`${renamed}-1`));

    assert.equal((await cli('modify-template', renamed, 'prepare-image')).code, 0);
    const staged = (await cli('list', 'xml')).stdout;
    assert.match(staged, new RegExp(`<staging name="${renamed}-staging" uuid="[^"]+" state="running"/>`));
    const commitRunning = await cli('modify-template', renamed, 'commit-image');
    assert.equal(commitRunning.code, 12);
    assert.match(commitRunning.stderr, /shut it down/);
    const destroyed = await cli('modify-template', renamed, 'destroy-image');
    assert.equal(destroyed.code, 0);
    assert.match(destroyed.stderr, /pulls the plug/);
    const committed = await cli('modify-template', renamed, 'commit-image');
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stdout, /now uses generation 2/);
    assert.match(committed.stdout, /2 existing clone\(s\) keep the image/);
    assert.equal((await cli('modify-template', renamed, 'discard-image')).code, 12);
    assert.equal((await cli('-t', renamed, '-n', 'clone', '1')).code, 0);
    const listed = (await cli('list', 'xml')).stdout;
    const mine = listed.slice(listed.indexOf(`<template name="${renamed}">`));
    assert.match(mine, /<image target="vda" generation="2" path="[^"]*template-images\/[^"]*gen2\.vda\.qcow2"\/>/);
    assert.match(mine, new RegExp(`<clone id="1" name="${renamed}-1" uuid="[^"]+" state="off" generation="1"/>`));
    assert.match(mine, new RegExp(`<clone id="3" name="${renamed}-3" uuid="[^"]+" state="off" generation="2"/>`));
    assert.doesNotMatch(mine.slice(0, mine.indexOf('</template>')), /<staging/);

    // check: report only without a terminal; --fix applies the safe fixes, not those that remove a clone.
    const stray = path.join(bed.root, 'qq2clone-pool', 'stray.qcow2');
    fs.writeFileSync(stray, 'x');
    const hourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(stray, hourAgo, hourAgo); // a left-over is old: newer files may belong to a clone being made
    assert.equal((await cli('-t', `${bed.prefix}-copy`, '-n', 'clone', '1')).code, 0);
    fs.rmSync(path.join(bed.root, 'templates', `${bed.prefix}-copy.xml`)); // its clone's template is gone
    const report = await cli('check', renamed);
    assert.equal(report.code, 0);
    assert.match(report.stdout, /no problems found/, 'a stray file belongs to no template');
    const all = await cli('check');
    assert.match(all.stdout, new RegExp(`\\[stray-file\\] ${stray}`));
    assert.match(all.stdout, /fix\(es\) available: run qq2clone check --fix/);
    assert.ok(fs.existsSync(stray), 'report only without a terminal');
    assert.match(all.stdout, new RegExp(`\\[missing-template\\] Clone 1 \\(${bed.prefix}-copy-1\\)[^\\n]*\\n   Fix \\(only when chosen by itself\\): Remove clone 1`));
    const fixed = await cli('check', '--fix');
    assert.match(fixed.stdout, new RegExp(`Deleted ${stray}`));
    assert.ok(!fs.existsSync(stray));
    assert.match(fixed.stdout, /fix\(es\) remove a clone or set a template aside: run qq2clone check on a terminal, without -q, to choose them/);
    assert.ok(bed.domains().includes(`${bed.prefix}-copy-1`), '--fix did not remove the clone of the missing template');

    assert.equal((await cli('config', 'edit', 'S_TIMEOUT', 'x')).code, 12);
    assert.equal((await cli('config', 'edit', 'S_TIMEOUT', '30')).code, 0);
    assert.match((await cli('config', 'info', 'S_TIMEOUT')).stdout, /Current value: '30'/);
    assert.equal((await cli('config', 'edit', 'S_TIMEOUT')).code, 12, 'no terminal to ask on');
  });
  it('modify-template edit runs the editor, saves valid XML and refuses invalid XML or a changed <name> without changing the file', async () => {
    const t = bed.makeTemplateFile(path.join(bed.root, 'src'), 'ed');
    assert.equal((await cli('import-template', t.xmlPath)).code, 0);
    const file = path.join(bed.root, 'templates', `${t.name}.xml`);
    const before = fs.readFileSync(file, 'utf8');
    const editWith = async (script: string) => {
      const editor = path.join(bed.root, `editor-${Math.random().toString(36).slice(2)}.sh`);
      fs.writeFileSync(editor, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      let stderr = '';
      const code = await runCli(['-c', TEST_URI, 'modify-template', t.name, 'edit'], {
        io: { stdout: () => {}, stderr: (x) => (stderr += x), env: { ...process.env, QQ2CLONE_HOME: bed.root, EDITOR: editor, VISUAL: '' }, stdinIsTTY: false },
        makeService: (c) => createLibvirtService(c),
      });
      // An edit that was not saved is kept for the user, in a folder of its own that the CLI names: removed here.
      for (const m of stderr.matchAll(/dits are in (\/\S+?\.xml)/g)) {
        if (path.basename(path.dirname(m[1]!)).startsWith('qq2clone-edit-')) fs.rmSync(path.dirname(m[1]!), { recursive: true, force: true });
      }
      return { code, stderr };
    };
    const broken = await editWith(`sed -i 's#<vcpu>#<bogus/><vcpu>#' "$1"`);
    assert.equal(broken.code, 15, broken.stderr);
    assert.match(broken.stderr, /bogus/);
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'an invalid edit leaves the template file as it was');
    const failing = await editWith('exit 3');
    assert.equal(failing.code, 14, failing.stderr);
    assert.match(failing.stderr, /exited with status 3/);
    // The service's one rule for edited templates (as the extension's documents): the <name> stays.
    const renamed = await editWith(`sed -i 's#<name>${t.name}</name>#<name>${t.name}-x</name>#' "$1"`);
    assert.equal(renamed.code, 15, renamed.stderr);
    assert.match(renamed.stderr, new RegExp(`<name> must stay ${t.name} \\(use modify-template ${t.name} rename to rename\\)`));
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'a renaming edit leaves the template file as it was');
    assert.deepEqual(fs.readdirSync(path.join(bed.root, 'templates')).filter((f) => f.endsWith('.xml')), [`${t.name}.xml`]);
    const good = await editWith(`sed -i 's#<memory unit=.MiB.>32</memory>#<memory unit="MiB">48</memory>#' "$1"`);
    assert.equal(good.code, 0, good.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /<memory unit="MiB">48<\/memory>/);
  });
});
