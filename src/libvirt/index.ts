// Temporary entry point: the service module replaces this with the real implementation.
import { execa } from 'execa';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LibvirtService, ServiceConfig } from './api';
import { LibvirtUnavailableError, UnexpectedError } from '../core/errors';

export function createLibvirtService(config: ServiceConfig): LibvirtService {
  const home = config.home ?? process.env.QQ2CLONE_HOME ?? path.join(os.homedir(), 'storage-qq2clone');
  const full = {
    uri: config.uri,
    home,
    templateDir: config.templateDir ?? path.join(home, 'templates'),
    storage: config.storage ?? path.join(home, 'qq2clone-pool'),
  };
  const notYet = (): never => {
    throw new UnexpectedError('not implemented yet');
  };
  return {
    config: full,
    async probe(signal) {
      const r = await execa('virsh', ['-c', full.uri, 'version'], { reject: false, cancelSignal: signal });
      if (r.failed) {
        const installed = !(r.code === 'ENOENT');
        throw new LibvirtUnavailableError(
          installed ? `Cannot connect to libvirt at ${full.uri}.` : 'virsh is not installed.',
          installed ? 'daemon-down' : 'not-installed',
          installed ? 'Start libvirtd.' : 'Install libvirt-clients.',
          { command: 'virsh version', exitCode: r.exitCode, stderr: String(r.stderr) },
        );
      }
    },
    inventory: async () => ({ templates: [], clones: [], foreign: [] }),
    clone: notYet,
    run: notYet,
    domainXml: notYet,
    defineXml: notYet,
    templateXml: notYet,
    writeTemplateXml: notYet,
    cloneDisks: notYet,
    onEvent: () => ({ dispose() {} }),
    onConnectionChange: () => ({ dispose() {} }),
    dispose() {},
  };
}
