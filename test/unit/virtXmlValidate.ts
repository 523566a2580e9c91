/**
 * libvirt's own verdict on a document, for tests that check agreement with it. A tool that is missing or gives no
 * verdict fails the test (the test bed installs libvirt-clients and libxml2-utils): it is never counted as "invalid".
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What virt-xml-validate prints when it has read the document and finds it invalid. */
const INVALID = /fails to validate|cannot determine schema type|parser error/;

/** virt-xml-validate's verdict on a file: true valid, false invalid; throws when it gave no verdict. */
export function virtXmlValidateFile(file: string): boolean {
  const r = spawnSync('virt-xml-validate', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`virt-xml-validate did not run (${r.error.message}): install libvirt-clients and libxml2-utils`);
  if (r.status === 0) return true;
  if (r.status !== null && INVALID.test(r.stderr)) return false;
  throw new Error(`virt-xml-validate gave no verdict on ${file} (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
}

/** virt-xml-validate's verdict on a text (written to a temporary file). */
export function virtXmlValidate(text: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qq2-validate-'));
  try {
    const file = path.join(dir, 'domain.xml');
    fs.writeFileSync(file, text);
    return virtXmlValidateFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
