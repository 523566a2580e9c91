import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';
import { virtXmlValidateFile } from './virtXmlValidate';

const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/xml/domain-inactive.xml'), 'utf8');

describe('qq2clone validate FILE...', function () {
  this.timeout(30000);
  let dir: string;
  let home: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-validate-cli-'));
    home = path.join(dir, 'home');
    fs.writeFileSync(path.join(dir, 'good.xml'), FIXTURE);
    fs.writeFileSync(path.join(dir, 'bad.xml'), FIXTURE.replace("<memory unit='KiB'>", "<memory unit='KiBB'>").replace('<clock', '<bogus/>\n  <clock'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { QQ2CLONE_HOME: home }, stdinIsTTY: false },
      makeService: () => {
        throw new Error('validate must not need libvirt');
      },
    });
    return { code, stdout, stderr };
  }

  it('exits 0 and prints no problem when every file is valid', async () => {
    const r = await cli('validate', path.join(dir, 'good.xml'), path.join(dir, 'good.xml'));
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /:\d+: /);
  });

  it('prints FILE:LINE: message per problem and exits 15 when one is invalid', async () => {
    const bad = path.join(dir, 'bad.xml');
    const r = await cli('-q', 'validate', path.join(dir, 'good.xml'), bad);
    assert.equal(r.code, 15);
    assert.equal(
      r.stdout,
      `${bad}:4: <memory>: attribute 'unit' is unknown or its value is invalid (a number, with unit='KiB', 'MiB', 'GiB'...)\n` +
        `${bad}:14: <bogus> is not allowed in <domain> (unknown element, or in the wrong place)\n`,
    );
    assert.match(r.stderr, /1 of 2 document\(s\) are not valid/);
    // The same verdict as libvirt's own tool.
    assert.equal(virtXmlValidateFile(bad), false);
    assert.equal(virtXmlValidateFile(path.join(dir, 'good.xml')), true);
  });

  it('exits 10 for a file it cannot read, 12 without files', async () => {
    assert.equal((await cli('validate', path.join(dir, 'missing.xml'))).code, 10);
    assert.equal((await cli('validate')).code, 12);
  });
});
