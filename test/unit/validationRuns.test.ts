import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDomainXmlValidator, type DomainXmlValidator, type XmlProblem } from '../../src/libvirt/validation';
import { DEFAULT_SCHEMA_DIR } from '../../src/libvirt/validation/engine';
import { ValidationRuns } from '../../src/extension/xml/validationRuns';

const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/xml/domain-inactive.xml'), 'utf8');
const BROKEN = FIXTURE.replace("<boot dev='hd'/>", "<boot dev='hdx'/>");

/** What the editor's adapter would show: diagnostics per document, notifications, log lines. */
class Shown {
  readonly diagnostics = new Map<string, readonly XmlProblem[]>();
  readonly warnings: string[] = [];
  readonly log: string[] = [];
  readonly sink = {
    set: (doc: string, problems: readonly XmlProblem[]) => this.diagnostics.set(doc, problems),
    clear: (doc: string) => this.diagnostics.delete(doc),
    warn: (m: string) => this.warnings.push(m),
    log: (m: string) => this.log.push(m),
  };
}

describe('validation runs in the editor', function () {
  this.timeout(30000);
  let dir: string;
  let validators: DomainXmlValidator[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-runs-'));
    validators = [];
  });
  afterEach(() => {
    validators.forEach((v) => v.dispose());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A real validator reading its schemas from `schemas` (a directory the test fills or empties). */
  function validator(schemas: string): DomainXmlValidator {
    const v = createDomainXmlValidator({ schemaDir: schemas });
    validators.push(v);
    return v;
  }

  it('replaces the diagnostics with each run, and ignores a run for a text the document no longer has', async () => {
    const shown = new Shown();
    const v = validator(DEFAULT_SCHEMA_DIR);
    const runs = new ValidationRuns<string>((t) => v.validate(t), shown.sink);
    await runs.run('a', BROKEN, () => true);
    assert.deepEqual(shown.diagnostics.get('a')?.map((p) => p.line), [9]);
    await runs.run('a', FIXTURE, () => false);
    assert.equal(shown.diagnostics.get('a')?.length, 1, 'a stale run changes nothing');
    await runs.run('a', FIXTURE, () => true);
    assert.deepEqual(shown.diagnostics.get('a'), []);
  });

  it('clears the diagnostics and warns once when validation cannot run; warns again after it worked', async () => {
    const schemas = path.join(dir, 'schemas');
    fs.cpSync(DEFAULT_SCHEMA_DIR, schemas, { recursive: true });
    const shown = new Shown();
    let v = validator(schemas);
    const runs = new ValidationRuns<string>((t) => v.validate(t), shown.sink);
    await runs.run('a', BROKEN, () => true);
    await runs.run('b', BROKEN, () => true);
    assert.equal(shown.diagnostics.size, 2);

    // The schemas are gone (libvirt uninstalled): a fresh worker cannot start.
    fs.rmSync(schemas, { recursive: true });
    v.dispose();
    v = validator(schemas);
    await runs.run('a', BROKEN, () => true);
    assert.equal(shown.diagnostics.has('a'), false, "the failed document's diagnostics are cleared");
    assert.equal(shown.diagnostics.has('b'), true, "other documents' stay until their own run");
    await runs.run('b', `${BROKEN} `, () => true);
    await runs.run('b', `${BROKEN}  `, () => false);
    assert.equal(shown.diagnostics.has('b'), false);
    assert.equal(shown.warnings.length, 1, 'one warning, not one per run');
    assert.match(shown.warnings[0]!, /cannot be checked against libvirt's schema.*no domain\.rng/);
    assert.equal(shown.log.length, 3);

    fs.cpSync(DEFAULT_SCHEMA_DIR, schemas, { recursive: true });
    await runs.run('a', BROKEN, () => true);
    assert.deepEqual(shown.diagnostics.get('a')?.map((p) => p.line), [9]);
    fs.rmSync(schemas, { recursive: true });
    v.dispose();
    v = validator(schemas);
    await runs.run('a', BROKEN, () => true);
    assert.equal(shown.warnings.length, 2, 'a new failure after a success is told again');
  });
});
