/**
 * The extension's policy enforcer, how it reaches libvirt: it acts for clones of a connection that the system hook
 * does not serve (qemu:///session) even while the hook is in use, leaves those of qemu:///system to the hook, and
 * names the stopped domain to virsh only after `--` (a name may begin with "-"), then goes on by UUID. The service
 * stands in as a recorder of the virsh commands asked (the daemon's answers are not what is tested here).
 */
import * as assert from 'node:assert/strict';
import type { DomainEvent, LibvirtService } from '../../src/libvirt/api';
import { PolicyEnforcer } from '../../src/extension/policy/enforcer';
import { LibvirtUnavailableError } from '../../src/core/errors';
import { applyPolicy, whileUnavailable } from '../../src/libvirt/policy';

function recorder(uri: string): { svc: LibvirtService; asked: string[][]; stop: (domain: string) => void } {
  const asked: string[][] = [];
  let listener: ((e: DomainEvent) => void) | undefined;
  const virsh = (args: readonly string[]): Promise<string> => {
    asked.push([...args]);
    return Promise.reject(new Error('no such domain'));
  };
  const svc = {
    config: { uri, home: '/nonexistent/home', templateDir: '/nonexistent/templates', storage: '/nonexistent/pool' },
    onEvent(l: (e: DomainEvent) => void) {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
    virsh,
    // As the service asks it (service.ts).
    domainXml(id: string, o: { inactive?: boolean } = {}) {
      return virsh(['dumpxml', ...(o.inactive === false ? [] : ['--inactive']), '--security-info', id]);
    },
  } as unknown as LibvirtService;
  return { svc, asked, stop: (domain) => listener?.({ domain, event: 'Stopped', detail: 'Destroyed' }) };
}

describe('policy enforcer: which connections it serves, and how it names domains', () => {
  it('with the system hook in use, a clone on qemu:///session still gets its policy applied by the extension', async () => {
    const r = recorder('qemu:///session');
    const enforcer = new PolicyEnforcer(r.svc, { logFile: '/nonexistent/log', hookActive: () => true });
    r.stop('tpl-1');
    await enforcer.idle();
    enforcer.dispose();
    assert.deepEqual(r.asked[0], ['domuuid', '--', 'tpl-1'], 'the enforcer looked the stopped domain up');
  });

  it('with the system hook in use, a clone on qemu:///system is left to the hook', async () => {
    const r = recorder('qemu:///system');
    const enforcer = new PolicyEnforcer(r.svc, { logFile: '/nonexistent/log', hookActive: () => true });
    r.stop('tpl-1');
    await enforcer.idle();
    enforcer.dispose();
    assert.deepEqual(r.asked, []);
  });

  it('names the domain after "--" (a name that begins with "-" is not an option)', async () => {
    const r = recorder('qemu:///system');
    const enforcer = new PolicyEnforcer(r.svc, { logFile: '/nonexistent/log', hookActive: () => false });
    r.stop('--help');
    await enforcer.idle();
    enforcer.dispose();
    assert.deepEqual(r.asked[0], ['domuuid', '--', '--help']);
    assert.equal(r.asked.length, 1, 'nothing more once libvirt does not know the name');
  });
});

describe('applying a policy while the daemon restarts', () => {
  const down = () => new LibvirtUnavailableError('Lost the connection to libvirt.', 'daemon-down', 'Start it.');

  it('tries again while libvirt does not answer, and goes on once it does', async () => {
    let calls = 0;
    const r = await whileUnavailable(async () => {
      if (++calls < 3) throw down();
      return 'applied';
    }, { tries: 5, pauseMs: 1 });
    assert.deepEqual([r, calls], ['applied', 3]);
  });

  it('gives up after the tries with the last error; any other error is not tried again', async () => {
    let calls = 0;
    const failing = (e: () => Error) => async (): Promise<never> => {
      calls++;
      throw e();
    };
    await assert.rejects(whileUnavailable(failing(down), { tries: 4, pauseMs: 1 }), LibvirtUnavailableError);
    assert.equal(calls, 4);
    calls = 0;
    await assert.rejects(whileUnavailable(failing(() => new Error('no such domain')), { tries: 4, pauseMs: 1 }), /no such domain/);
    assert.equal(calls, 1);
  });

  it('a policy whose libvirt calls fail while the daemon is down is applied once it answers again (not dropped)', async () => {
    let calls = 0;
    const svc = {
      config: { uri: 'qemu:///system', home: '/nonexistent', templateDir: '/nonexistent/t', storage: '/nonexistent/s' },
      withCloneLock: <T>(_u: string, work: () => Promise<T>) => work(),
      virsh: (args: readonly string[]) => {
        calls++;
        if (calls <= 2) return Promise.reject(down());
        // Back: the domain has no bookkeeping any more, so the policy is kept (no file is touched).
        return Promise.resolve(args[0] === 'dumpxml' ? "<domain type='qemu'><name>x</name></domain>" : '');
      },
    } as unknown as LibvirtService;
    const meta = { template: 't', id: 1, overlays: [], policy: { action: 'reset' as const, on: ['destroyed' as const] } };
    const trust = { storage: [], templateDirs: [] };
    const e = await applyPolicy(svc, { uuid: 'u', name: 'x', meta }, { by: 'hook', trust, retry: { tries: 5, pauseMs: 1 } });
    assert.equal(e.action, 'kept', JSON.stringify(e));
    assert.equal(calls, 3);
  });
});
