/**
 * The `demo` template of `npm start`: when the user has no template yet, the test guest (test/guest/) is imported
 * through the product's own import, so a newcomer can clone, start, open a console and exec at once. Imported once:
 * a marker file in the qq2clone home remembers it, so a user who deleted the template never gets it back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLibvirtService } from '../src/libvirt';
import { importTemplate, listTemplates } from '../src/libvirt/templates/templateOps';
import { validateDomainXml } from '../src/libvirt/validation';
import { ensureGuest, guestDomainXml } from '../test/guest';

export const DEMO_NAME = 'demo';
export const DEMO_MARKER = '.demo-template-imported';

const DESCRIPTION =
  'qq2clone demo template: a tiny Linux (Debian cloud kernel, busybox, dropbear, qemu-guest-agent) with a root shell ' +
  'on its serial console and on its screen (a VNC display on 127.0.0.1: Open Console). Imported by npm start because there was no template; delete it when you no longer need it ' +
  '(it is not imported again).';

/** Why `home` cannot hold images for libvirt's QEMU user (a directory on its path others cannot enter), if so. */
export function unreachableByQemu(home: string): string | undefined {
  for (let d = path.resolve(home); ; d = path.dirname(d)) {
    const st = fs.statSync(d, { throwIfNoEntry: false });
    if (st && (st.mode & 0o001) === 0) return `${d} (mode ${(st.mode & 0o777).toString(8)}) cannot be entered by the qemu user`;
    if (d === path.dirname(d)) return undefined;
  }
}

/**
 * Imports the demo template into the qq2clone home `home` when it has no template and none was imported before.
 * Returns what happened, in one line for the user. Never throws: the demo is a convenience.
 */
export async function ensureDemoTemplate(uri: string, home: string): Promise<string> {
  const marker = path.join(home, DEMO_MARKER);
  if (fs.existsSync(marker)) return `demo template: imported before (${marker}); not again`;
  const svc = createLibvirtService({ uri, home });
  try {
    await svc.probe();
    const existing = await listTemplates(svc);
    if (existing.length) return `demo template: not imported, ${existing.length} template(s) already exist`;
    const g = ensureGuest();
    const dir = path.join(home, 'demo');
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const file = (name: string, from: string, mode: number): string => {
      const to = path.join(dir, name);
      fs.rmSync(to, { force: true });
      fs.copyFileSync(from, to);
      fs.chmodSync(to, mode);
      return to;
    };
    const disk = file('demo.qcow2', g.rootImage, 0o644);
    const kernel = file('vmlinuz', g.kernelWithSetup, 0o644); // its screen shows tty1 (see GuestImage)
    const initrd = file('initrd.gz', g.initrd, 0o644);
    const xmlPath = path.join(dir, 'demo.xml');
    fs.writeFileSync(xmlPath, guestDomainXml({ name: DEMO_NAME, disk, kernel, initrd, description: DESCRIPTION, vnc: true }));
    const validate = async (xml: string): Promise<string[]> => (await validateDomainXml(xml)).problems.map((p) => p.message);
    await importTemplate({ svc, validate }, xmlPath);
    fs.writeFileSync(marker, `The demo template was imported on ${new Date().toISOString()}; delete this file to get it again.\n`);
    return `demo template: imported as "${DEMO_NAME}" (files in ${dir}); delete it from the view when you no longer need it`;
  } catch (e) {
    return `demo template: not imported: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    svc.dispose();
  }
}
