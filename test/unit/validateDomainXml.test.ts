import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDomainXmlValidator, type DomainXmlValidator } from '../../src/libvirt/validation';
import { DEFAULT_SCHEMA_DIR } from '../../src/libvirt/validation/engine';
import { loadDomainSchema, wrapperName } from '../../src/libvirt/validation/schema';
import { variants } from './domainVariants';
import { virtXmlValidate } from './virtXmlValidate';

/** `virsh dumpxml --inactive` of a tiny domain (libvirt 9.0.0), as the editor shows a clone. */
const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/xml/domain-inactive.xml'), 'utf8');

/** The fixture with `from` replaced (which must occur exactly once). */
function broken(from: string, to: string): string {
  assert.equal(FIXTURE.split(from).length, 2, `fixture has exactly one ${from}`);
  return FIXTURE.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
}

/**
 * The verdicts of `xmllint --noout --relaxng domain.rng` (the command virt-xml-validate runs for a <domain>) on many
 * documents in one process.
 */
function libvirtVerdicts(texts: readonly string[]): boolean[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-variants-'));
  try {
    const files = texts.map((t, i) => {
      const f = path.join(dir, `${i}.xml`);
      fs.writeFileSync(f, t);
      return f;
    });
    const r = spawnSync('xmllint', ['--noout', '--relaxng', path.join(DEFAULT_SCHEMA_DIR, 'domain.rng'), ...files], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint did not run (${r.error.message}): install libxml2-utils`);
    const said = new Map([...r.stderr.matchAll(/^(\S+) (validates|fails to validate)$/gm)].map((m) => [m[1]!, m[2] === 'validates']));
    return files.map((f) => {
      const verdict = said.get(f);
      assert.notEqual(verdict, undefined, `xmllint said nothing about ${f}`);
      return verdict!;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('validateDomainXml', function () {
  this.timeout(30000);
  let v: DomainXmlValidator;
  before(() => {
    v = createDomainXmlValidator();
  });
  after(() => v.dispose());

  it('accepts a domain as libvirt dumps it, with comments and our namespaced metadata added', async () => {
    assert.deepEqual(await v.validate(FIXTURE), { valid: true, problems: [] });
    const edited = broken('<devices>', '<devices>\n    <!-- kept as written -->').replace(
      '  <memory',
      '  <metadata>\n    <qq2clone:clone xmlns:qq2clone="https://qq2clone.invalid/xmlns/clone/1" template="t" id="1"/>\n  </metadata>\n  <memory',
    );
    assert.deepEqual(await v.validate(edited), { valid: true, problems: [] });
  });

  it('reports an unknown element on its line', async () => {
    const text = broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>1</vcpu>\n  <bogus/>");
    const r = await v.validate(text);
    assert.equal(r.valid, false);
    assert.deepEqual(r.problems, [
      {
        line: lineOf(text, '<bogus/>'),
        message: '<bogus> is not allowed in <domain> (unknown element, or in the wrong place)',
        raw: 'Element domain has extra content: bogus',
      },
    ]);
  });

  it('reports a bad attribute value on the element', async () => {
    const text = broken("<memory unit='KiB'>", "<memory unit='KiBB'>");
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[4, "<memory>: attribute 'unit' is unknown or its value is invalid (a number, with unit='KiB', 'MiB', 'GiB'...)"]],
    );
  });

  it('reports a missing required element on its parent', async () => {
    const text = broken('  <name>qqt-xmlfix-7918</name>\n', '');
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[1, '<domain> is missing the required element <name>']],
    );
  });

  it('reports malformed XML as a syntax error at the parser position', async () => {
    const text = broken("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>1</vcpux>");
    const r = await v.validate(text);
    assert.equal(r.valid, false);
    assert.equal(r.problems[0]?.line, 6);
    assert.match(r.problems[0]!.message, /^XML syntax error: Opening and ending tag mismatch: vcpu line 6 and vcpux/);
  });

  it('pins a bad value deep inside <devices> to its own line, not to <devices>', async () => {
    const text = broken("<driver name='qemu' type='qcow2'/>", "<driver name='qemu' type='qcow2' cache='fast'/>");
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message]),
      [[lineOf(text, 'cache='), "<driver>: cache='fast' is not allowed (expected one of: default, none, writeback, writethrough, directsync, unsafe)"]],
    );
    const mac = broken("address='52:54:00:aa:bb:01'", "address='52:54:00:aa:bb'");
    const m = await v.validate(mac);
    assert.deepEqual(
      m.problems.map((p) => p.line),
      [lineOf(mac, '<mac ')],
    );
    assert.match(m.problems[0]!.message, /^<mac> has a missing or invalid attribute.*52:54:00:12:34:56/);
  });

  it('reports an unknown element inside a device on its own line, not as a problem of the device', async () => {
    const text = broken(
      "<source file='/var/tmp/qqt-xmlfix-7918.qcow2'/>",
      "<source file='/var/tmp/qqt-xmlfix-7918.qcow2'/>\n      <bogus/>",
    );
    const r = await v.validate(text);
    assert.deepEqual(r.problems, [
      {
        line: lineOf(text, '<bogus/>'),
        message: '<bogus> is not allowed in <disk> (unknown element, or in the wrong place)',
        raw: 'Element disk has extra content: bogus',
      },
    ]);
    // Deeper: inside an element of a device.
    const deep = broken("<model name='isa-serial'/>", "<model name='isa-serial'>\n          <bogus/>\n        </model>");
    assert.deepEqual(
      (await v.validate(deep)).problems.map((p) => [p.line, p.message]),
      [[lineOf(deep, '<bogus/>'), '<bogus> is not allowed in <model> (unknown element, or in the wrong place)']],
    );
  });

  it('reports a bad attribute value nested in <os> on its line, with the values the schema allows', async () => {
    const text = broken("<boot dev='hd'/>", "<boot dev='hdx'/>");
    const r = await v.validate(text);
    assert.deepEqual(r.problems, [
      {
        line: lineOf(text, '<boot'),
        message: "<boot>: dev='hdx' is not allowed (expected one of: hd, fd, cdrom, network)",
        raw: 'Element boot failed to validate attributes',
      },
    ]);
  });

  it('pins problems inside the other top-level elements (cpu, clock, features, events) to their lines', async () => {
    const cases: [string, string, string, string][] = [
      ["fallback='forbid'", "fallback='forbidx'", 'forbidx', "<model>: fallback='forbidx' is not allowed (expected one of: allow, forbid)"],
      [
        "<clock offset='utc'/>",
        "<clock offset='utc'>\n    <timer name='rtc' tickpolicy='catchup'/>\n    <timer name='pit' tickpolicy='often'/>\n  </clock>",
        "tickpolicy='often'",
        "<timer>: tickpolicy='often' is not allowed (expected one of: delay, merge, discard, catchup)",
      ],
      [
        '<clock',
        "<features>\n    <acpi/>\n    <apic eoi='maybe'/>\n  </features>\n  <clock",
        '<apic',
        "<apic>: eoi='maybe' is not allowed (expected one of: on, off)",
      ],
      [
        '<on_crash>destroy</on_crash>',
        '<on_crash>explode</on_crash>',
        'explode',
        "<on_crash>: 'explode' is not allowed (expected one of: destroy, restart, preserve, rename-restart, coredump-destroy, coredump-restart)",
      ],
      ["<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>one</vcpu>", 'one', "<vcpu>: 'one' is not a valid unsignedShort (a positive number)"],
      ['    <type arch', '    <loader readonly="maybe">/x</loader>\n    <type arch', 'maybe', "<loader>: readonly='maybe' is not allowed (expected one of: yes, no)"],
    ];
    for (const [from, to, at, message] of cases) {
      const text = broken(from, to);
      assert.deepEqual((await v.validate(text)).problems.map((p) => [p.line, p.message]), [[lineOf(text, at), message]], to);
    }
    // A required element missing inside <os> is reported on <os>, not on <domain>.
    const noType = broken("    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n", '');
    assert.deepEqual(
      (await v.validate(noType)).problems.map((p) => [p.line, p.message]),
      [[lineOf(noType, '<os>'), '<os> is missing the required element <type>']],
    );
  });

  it('reports problems in <devices> and elsewhere in one pass', async () => {
    const text = broken("<model type='cirrus'", "<model type='cirrusx'").replace('<clock', '<bogus/>\n  <clock');
    const r = await v.validate(text);
    assert.deepEqual(
      r.problems.map((p) => p.line),
      [lineOf(text, '<bogus/>'), lineOf(text, "type='cirrusx'")],
    );
  });

  it('requires <domain> at the root (the wrapper grammar also accepts the fragments\' wrapper elements)', async () => {
    const r = await v.validate('<devices>\n</devices>\n');
    assert.deepEqual(r.problems, [
      { line: 1, message: 'expected <domain> here, found <devices>', raw: 'Expecting element domain, got devices' },
    ]);
    // The wrapper of <input>'s pattern (which the compiled grammar accepts at the root) is no domain either.
    const schema = loadDomainSchema(DEFAULT_SCHEMA_DIR);
    const input = schema.patterns.find((p) => p.name === 'input')!;
    const wrapped = `<${wrapperName(input.id)}><input type='mouse' bus='ps2'/></${wrapperName(input.id)}>`;
    assert.deepEqual((await v.validate(wrapped)).problems.map((p) => p.raw), [`Expecting element domain, got ${wrapperName(input.id)}`]);
    assert.equal(virtXmlValidate(wrapped), false);
  });

  it('gives the same verdicts as virt-xml-validate', async () => {
    const texts = [
      FIXTURE,
      broken("<memory unit='KiB'>", "<memory unit='KiBB'>"),
      broken('<uuid>d16dd2cb', '<uuid>zz16dd2cb'),
      broken("<audio id='1' type='spice'/>", "<watchdog model='i6300esb'/><watchdog model='i6300esb'/>"),
      broken("<input type='mouse' bus='ps2'/>", "<input type='mouse' bus='ps2'><bogus/></input>"),
      broken('</devices>', '</devices>\n  <devices/>'),
      '<domain type="qemu"><name>x</name></domain>',
    ];
    for (const t of texts) {
      const r = await v.validate(t);
      assert.equal(r.valid, virtXmlValidate(t), t);
      assert.equal(r.problems.length > 0, !r.valid);
    }
  });

  it('agrees with libvirt on hundreds of variants of a valid domain, and places each problem in the changed element', async function () {
    this.timeout(240000);
    const all = variants(FIXTURE);
    assert.ok(all.length > 300, `${all.length} variants`);
    const verdicts = libvirtVerdicts(all.map((x) => x.text));
    // virt-xml-validate itself on a sample (it runs that same xmllint command, one document at a time).
    for (let i = 0; i < all.length; i += 40) assert.equal(virtXmlValidate(all[i]!.text), verdicts[i], all[i]!.what);
    assert.ok(verdicts.filter((x) => !x).length > 200, 'most variants are invalid');
    const misplaced: string[] = [];
    for (const [i, x] of all.entries()) {
      const r = await v.validate(x.text);
      assert.equal(r.valid, verdicts[i], x.what);
      assert.equal(r.problems.length > 0, !r.valid, x.what);
      if (!r.valid && !r.problems.some((p) => p.line >= x.line && p.line <= x.endLine)) {
        misplaced.push(`${x.what}: ${r.problems.map((p) => `${p.line}: ${p.message}`).join('; ')}`);
      }
    }
    assert.deepEqual(misplaced, []);
  });
});
