/**
 * Validation benchmark (not a test): `npx tsx bench/validate.ts [--docs 40]`.
 *
 * On the same documents (the captured libvirt dump and edited variants, valid and invalid, each made unique so no
 * cache answers, see `docs`), in one run:
 *   (a) baseline: `virt-xml-validate FILE` per document (what libvirt ships; native xmllint, schema compiled each time);
 *   (b) xmllint-wasm's own validateXML per document (a new worker and a schema compile per call);
 *   (c) our validator: cold (schema read and prepared, worker start, schema compile, first document; once with a
 *       valid and once with an invalid first document), then warm per new document (full verdict plus, for invalid
 *       ones, the element fragments that place the problems), and warm with an unchanged text (cache).
 * Prints per-document times (median and mean) and the ratios to virt-xml-validate, cold and warm.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateXML } from 'xmllint-wasm';
import { createDomainXmlValidator } from '../src/libvirt/validation';
import { DEFAULT_SCHEMA_DIR } from '../src/libvirt/validation/engine';

const argv = process.argv.slice(2);
const DOCS = Number(argv[argv.indexOf('--docs') + 1] ?? 40) || 40;

const base = fs.readFileSync(path.join(__dirname, '../test/fixtures/xml/domain-inactive.xml'), 'utf8');
const variants = [
  base,
  base.replace("<memory unit='KiB'>", "<memory unit='KiBB'>"),
  base.replace("<driver name='qemu' type='qcow2'/>", "<driver name='qemu' type='qcow2' cache='fast'/>"),
  base.replace('<clock', '<bogus/>\n  <clock'),
  base.replace("<model type='cirrus'", "<model type='cirrusx'"),
];
/**
 * Unique texts so that neither side can answer from a cache: a comment and i line breaks at the start of <domain>
 * change the document and move every element in it to another line, and the fragments validated for an invalid
 * document are padded to their elements' lines, so none of them repeats either.
 */
const docs = Array.from({ length: DOCS }, (_, i) =>
  variants[i % variants.length]!.replace("<domain type='qemu'>", `<domain type='qemu'>\n  <!-- document ${i} -->${'\n'.repeat(i)}`),
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-bench-validate-'));
const files = docs.map((d, i) => {
  const f = path.join(dir, `d${i}.xml`);
  fs.writeFileSync(f, d);
  return f;
});

function stats(ms: number[]): { median: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  console.log(`${DOCS} documents (${variants.length} variants, ${docs.filter((_, i) => i % variants.length !== 0).length} invalid), ${os.cpus().length} CPUs`);

  const baseline: number[] = [];
  const baseVerdicts: boolean[] = [];
  for (const f of files) {
    const t = performance.now();
    let ok = true;
    try {
      execFileSync('virt-xml-validate', [f], { stdio: 'pipe' });
    } catch {
      ok = false;
    }
    baseline.push(performance.now() - t);
    baseVerdicts.push(ok);
  }
  const b = stats(baseline);
  console.log(`virt-xml-validate            median ${fmt(b.median)}  mean ${fmt(b.mean)} per document`);

  const schemaFiles = fs.readdirSync(DEFAULT_SCHEMA_DIR).filter((f) => f.endsWith('.rng'));
  const read = (f: string) => ({ fileName: f, contents: fs.readFileSync(path.join(DEFAULT_SCHEMA_DIR, f), 'utf8') });
  const schema = read('domain.rng');
  const preload = schemaFiles.filter((f) => f !== 'domain.rng').map(read);
  const oneShot: number[] = [];
  for (const d of docs.slice(0, Math.min(DOCS, 10))) {
    const t = performance.now();
    await validateXML({ xml: { fileName: 'd.xml', contents: d }, schema, preload, extension: 'relaxng' });
    oneShot.push(performance.now() - t);
  }
  const o = stats(oneShot);
  console.log(`xmllint-wasm validateXML     median ${fmt(o.median)}  mean ${fmt(o.mean)} per document (${oneShot.length} docs)`);

  // Cold with an invalid first document: everything above, plus the fragments (none of them cached yet).
  const other = createDomainXmlValidator();
  let t = performance.now();
  await other.validate(docs[1]!);
  const coldInvalid = performance.now() - t;
  other.dispose();

  const v = createDomainXmlValidator();
  try {
    t = performance.now();
    const first = await v.validate(docs[0]!);
    const cold = performance.now() - t;
    const warm: number[] = [];
    const warmValid: number[] = [];
    const warmInvalid: number[] = [];
    const verdicts: boolean[] = [first.valid];
    const cached: number[] = [];
    for (const [i, d] of docs.entries()) {
      if (i === 0) continue;
      t = performance.now();
      const r = await v.validate(d);
      const ms = performance.now() - t;
      warm.push(ms);
      (r.valid ? warmValid : warmInvalid).push(ms);
      verdicts.push(r.valid);
      // The same text again right away (a save after the last keystroke's validation): answered from the cache.
      t = performance.now();
      await v.validate(d);
      cached.push(performance.now() - t);
    }
    const w = stats(warm);
    console.log(`ours, cold (first document)  ${fmt(cold)} valid, ${fmt(coldInvalid)} invalid`);
    console.log(`cold/virt-xml-validate: ${(cold / b.median).toFixed(2)}x (valid), ${(coldInvalid / b.median).toFixed(2)}x (invalid), against its median`);
    console.log(`ours, warm, new text         median ${fmt(w.median)}  mean ${fmt(w.mean)} per document`);
    console.log(`   valid ones                median ${fmt(stats(warmValid).median)};  invalid ones (with element fragments) median ${fmt(stats(warmInvalid).median)}`);
    console.log(`ours, warm, unchanged text   median ${fmt(stats(cached).median)}`);
    console.log(`warm/virt-xml-validate: ${(w.median / b.median).toFixed(2)}x (median), ${(w.mean / b.mean).toFixed(2)}x (mean)`);
    const disagree = verdicts.filter((x, i) => x !== baseVerdicts[i]).length;
    console.log(`verdicts differing from virt-xml-validate: ${disagree} of ${DOCS}`);
  } finally {
    v.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
