/** Entry point of the libvirt service: everything that talks to libvirt goes through `createLibvirtService`. */
import type { LibvirtService, ServiceConfig } from './api';
import { Libvirt } from './service';

export { Libvirt, resolveConfig } from './service';
export { CLONE_NS } from './domain';

/** Builds the service for a connection (sessions and event stream start lazily). */
export function createLibvirtService(config: ServiceConfig): LibvirtService & Libvirt {
  return new Libvirt(config);
}
