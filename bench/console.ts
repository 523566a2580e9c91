/**
 * Console relay benchmark (not a test): `npx tsx bench/console.ts [--n 30]`.
 *
 * One running test guest with a VNC display on 127.0.0.1, and two RFB clients on it in the same run (the same
 * minimal client, test/vnc/rfbClient.ts, Raw encoding): the baseline connects to QEMU's VNC server directly over
 * TCP; the other speaks through the console's relay (VncRelay: the extension host's connection, its handshake, and
 * the page's end as in-process callbacks, where the console tab puts postMessage). Rounds alternate between them:
 *   (a) key to pixels: a key press and release sent into the channel until the first framebuffer update with
 *       changed pixels (the shell on tty1 echoes the letter; BackSpace erases it again);
 *   (b) a full-screen update (non-incremental request of the whole 720x400 screen): time and throughput.
 * Prints medians and the ratio relay/direct; writes them to bench/results/console-<time>.txt.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureGuest, guestDomainXml, waitForGuest } from '../test/guest';
import { TestBed, qemuImg, virsh } from '../test/testbed';
import { pageEnd } from '../test/vnc/pageEnd';
import { RfbClient, socketLink } from '../test/vnc/rfbClient';
import { VncRelay, vncDisplayOf, isVncDisplay } from '../src/libvirt/display';

const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf('--n') + 1] ?? 30) || 30;
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
const XK_A = 0x61;
const XK_BACKSPACE = 0xff08;

/** Sends a key press and release; resolves with the ms until an update that changed pixels arrived. */
async function keyToPixels(c: RfbClient, keysym: number): Promise<number> {
  const before = Buffer.from(c.fb);
  const t = performance.now();
  c.key(keysym, true);
  c.key(keysym, false);
  for (;;) {
    c.requestUpdate(true);
    const u = await c.nextUpdate();
    if (u.bytes > 0 && !c.fb.equals(before)) return u.at - t;
  }
}

/** A full-screen update: ms and bytes of pixels. */
async function fullUpdate(c: RfbClient): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const next = c.nextUpdate();
  c.requestUpdate(false);
  const u = await next;
  return { ms: u.at - t, bytes: u.bytes };
}

async function main(): Promise<void> {
  const bed = new TestBed('bcons');
  const dom = `${bed.prefix}-g`;
  let relay: VncRelay | undefined;
  let socket: net.Socket | undefined;
  try {
    const disk = path.join(bed.root, 'g.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', ensureGuest().rootImage, '-F', 'qcow2', disk);
    const xml = path.join(bed.root, 'g.xml');
    fs.writeFileSync(xml, guestDomainXml({ name: dom, disk, vnc: true }));
    virsh('define', xml);
    virsh('start', dom);
    await waitForGuest(dom);
    const display = vncDisplayOf(virsh('dumpxml', '--security-info', dom));
    if (!isVncDisplay(display) || display.address.kind !== 'tcp') throw new Error(`no TCP VNC display: ${JSON.stringify(display)}`);
    const { host, port } = display.address;
    socket = net.connect(port, host);
    await new Promise((resolve, reject) => socket!.once('connect', resolve).once('error', reject));
    const direct = await RfbClient.connect(socketLink(socket));
    const end = pageEnd();
    relay = await VncRelay.open(display, end.toPage, () => undefined);
    const viaRelay = await RfbClient.connect(end.link((b) => relay!.fromPage(b)));
    say(`console bench: N=${N}, guest screen ${direct.width}x${direct.height}, VNC at ${host}:${port}`);
    for (const c of [direct, viaRelay]) await fullUpdate(c); // both framebuffers filled before timing

    const keys: Record<'direct' | 'relay', number[]> = { direct: [], relay: [] };
    const full: Record<'direct' | 'relay', { ms: number; bytes: number }[]> = { direct: [], relay: [] };
    for (let i = 0; i < N; i++) {
      for (const [k, c] of [['direct', direct], ['relay', viaRelay]] as const) {
        keys[k].push(await keyToPixels(c, XK_A));
        await keyToPixels(c, XK_BACKSPACE);
        // The other client sees the same echo: drain it so its next round starts from the screen as it is.
        const other = c === direct ? viaRelay : direct;
        await fullUpdate(other);
        full[k].push(await fullUpdate(c));
      }
    }
    const kd = median(keys.direct);
    const kr = median(keys.relay);
    say(`key to pixels      direct ${kd.toFixed(1)} ms | relay ${kr.toFixed(1)} ms | ratio relay/direct ${(kr / kd).toFixed(2)}x`);
    const fd = median(full.direct.map((f) => f.ms));
    const fr = median(full.relay.map((f) => f.ms));
    const mb = full.relay[0]!.bytes / 1e6;
    say(
      `full-screen update direct ${fd.toFixed(1)} ms (${(mb / (fd / 1000)).toFixed(0)} MB/s) | relay ${fr.toFixed(1)} ms (${(mb / (fr / 1000)).toFixed(0)} MB/s) | ` +
        `${mb.toFixed(2)} MB of pixels | ratio relay/direct ${(fr / fd).toFixed(2)}x`,
    );
  } finally {
    relay?.close();
    socket?.destroy();
    bed.cleanup();
  }
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', `console-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), `${lines.join('\n')}\n`);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
