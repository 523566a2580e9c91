// Shared set-up of the template tests: a real service rooted in a TestBed, and the schema validator.
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createLibvirtService } from '../../src/libvirt';
import type { LibvirtService } from '../../src/libvirt/api';
import type { TemplateDeps } from '../../src/libvirt/templates/templateOps';
import { validateDomainXml } from '../../src/libvirt/validation';
import { TEST_URI, type TestBed } from '../testbed';

/** The service of a bed; `storage` as the user typed it (default <bed>/pool). */
export function serviceFor(bed: TestBed, storage = path.join(bed.root, 'pool')): LibvirtService {
  return createLibvirtService({
    uri: TEST_URI,
    home: bed.root,
    templateDir: path.join(bed.root, 'templates'),
    storage,
  });
}

export function depsFor(svc: LibvirtService): TemplateDeps {
  return { svc, validate: async (xml) => (await validateDomainXml(xml)).problems.map((p) => p.message) };
}

/** qemu-io pattern read: true when the 64k at `offset` are all `pattern`. */
export function reads(image: string, pattern: number, offset: string): boolean {
  try {
    execFileSync('qemu-io', ['-r', '-U', '-c', `read -P 0x${pattern.toString(16)} ${offset} 64k`, image], { encoding: 'utf8' });
    return true;
  } catch (e) {
    if (/verification failed/i.test(String((e as { stdout?: string }).stdout ?? ''))) return false;
    throw e;
  }
}

export function write(image: string, pattern: number, offset: string): void {
  execFileSync('qemu-io', ['-c', `write -P 0x${pattern.toString(16)} ${offset} 64k`, image], { encoding: 'utf8' });
}
