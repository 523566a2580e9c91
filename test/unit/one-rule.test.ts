/** Rules the CLI and the extension share: how many clones one request may make, and where the tool's home is. */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { cloneCountProblem, MAX_CLONES_AT_ONCE } from '../../src/core/cloneCount';
import { toolHome } from '../../src/core/home';
import { toolHome as cliToolHome } from '../../src/cli/config';
import { resolveConfig } from '../../src/libvirt/service';

describe('one rule for both front ends', () => {
  it('clone count: 1 to 1000, whole numbers', () => {
    assert.equal(MAX_CLONES_AT_ONCE, 1000);
    assert.equal(cloneCountProblem('1000'), undefined);
    assert.equal(cloneCountProblem(' 5 '), undefined);
    assert.match(cloneCountProblem('1001') ?? '', /At most 1000/);
    assert.match(cloneCountProblem('0') ?? '', /at least one/);
    assert.match(cloneCountProblem('2.5') ?? '', /whole number/);
  });

  it('QQ2CLONE_HOME: set means that directory, empty or unset means ~/storage-qq2clone, in the CLI and the service', () => {
    const def = path.join('/home/u', 'storage-qq2clone');
    assert.equal(toolHome({ QQ2CLONE_HOME: '/srv/q', HOME: '/home/u' }), '/srv/q');
    assert.equal(toolHome({ QQ2CLONE_HOME: '', HOME: '/home/u' }), def);
    assert.equal(toolHome({ QQ2CLONE_HOME: '  ', HOME: '/home/u' }), def);
    assert.equal(toolHome({ HOME: '/home/u' }), def);
    assert.equal(cliToolHome, toolHome);
    const saved = process.env.QQ2CLONE_HOME;
    try {
      process.env.QQ2CLONE_HOME = '';
      assert.equal(resolveConfig({ uri: 'qemu:///system' }).templateDir, path.join(process.env.HOME || os.homedir(), 'storage-qq2clone', 'templates'));
    } finally {
      if (saved === undefined) delete process.env.QQ2CLONE_HOME;
      else process.env.QQ2CLONE_HOME = saved;
    }
  });
});
