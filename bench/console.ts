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
 * A third client is the page itself (bench/consolePage.ts): the real console page bundle (dist/console-page.js, noVNC,
 * with the encodings it negotiates) in headless Chromium, its channel carried through postMessage-like hops to a
 * relay of its own; the same two rounds are timed in the page, up to the pixels drawn on its canvas.
 * The clients take turns in an order that turns each round; the page's channel alone (a message to the host and one
 * back, no VNC) is timed too. Prints medians and the ratios relay/direct and page/direct; writes them to
 * bench/results/console-<time>.txt.
 * Needs `npm run build` first (the page bundle).
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
import { ConsolePage } from './consolePage';

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
  let page: ConsolePage | undefined;
  const dist = path.join(__dirname, '..', 'dist');
  if (!fs.existsSync(path.join(dist, 'console-page.js'))) throw new Error('dist/console-page.js is missing: run npm run build first');
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
    page = await ConsolePage.open(display, dist, path.join(bed.root, 'chromium'));
    say(`console bench: N=${N}, guest screen ${direct.width}x${direct.height}, VNC at ${host}:${port}, page canvas ${JSON.stringify(await page.size())}`);
    for (const c of [direct, viaRelay]) await fullUpdate(c); // both framebuffers filled before timing
    await page.full();

    /** The three clients alike; each drains what the others' rounds drew, so that its next round starts from the screen as it is. */
    interface Client {
      key(): Promise<number>;
      erase(): Promise<unknown>;
      full(): Promise<{ ms: number; wireBytes: number }>;
    }
    const rfb = (c: RfbClient): Client => ({
      key: () => keyToPixels(c, XK_A),
      erase: () => keyToPixels(c, XK_BACKSPACE),
      full: async () => {
        const f = await fullUpdate(c);
        return { ms: f.ms, wireBytes: f.bytes };
      },
    });
    const p = page;
    const clients = {
      direct: rfb(direct),
      relay: rfb(viaRelay),
      page: {
        key: async () => {
          const k = await p.key('a');
          arrivals.push(k.arrived);
          return k.ms;
        },
        erase: () => p.key('\b'),
        full: () => p.full(),
      },
    } satisfies Record<string, Client>;
    type Name = keyof typeof clients;
    const names = Object.keys(clients) as Name[];
    const keys = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
    const full = Object.fromEntries(names.map((n) => [n, [] as { ms: number; wireBytes: number }[]])) as Record<Name, { ms: number; wireBytes: number }[]>;
    const pings: number[] = [];
    const arrivals: number[] = [];
    for (let i = 0; i < N; i++) {
      // The order turns each round: QEMU's refresh interval grows while its display is idle, which favours no client.
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length]!;
        const c = clients[name];
        keys[name].push(await c.key());
        await c.erase();
        for (const other of names) if (other !== name) await clients[other].full();
        full[name].push(await c.full());
      }
      pings.push(await p.ping());
    }
    const kd = median(keys.direct);
    const kr = median(keys.relay);
    const kp = median(keys.page);
    say(`key to pixels      direct ${kd.toFixed(1)} ms | relay ${kr.toFixed(1)} ms | page ${kp.toFixed(1)} ms | ratio relay/direct ${(kr / kd).toFixed(2)}x, page/direct ${(kp / kd).toFixed(2)}x`);
    const fd = median(full.direct.map((f) => f.ms));
    const fr = median(full.relay.map((f) => f.ms));
    const mb = full.relay[0]!.wireBytes / 1e6;
    say(
      `full-screen update direct ${fd.toFixed(1)} ms (${(mb / (fd / 1000)).toFixed(0)} MB/s) | relay ${fr.toFixed(1)} ms (${(mb / (fr / 1000)).toFixed(0)} MB/s) | ` +
        `${mb.toFixed(2)} MB of pixels (Raw) | ratio relay/direct ${(fr / fd).toFixed(2)}x`,
    );
    const fp = median(full.page.map((f) => f.ms));
    const kb = median(full.page.map((f) => f.wireBytes)) / 1e3;
    say(
      `full-screen update page ${fp.toFixed(1)} ms to the canvas (${(mb / (fp / 1000)).toFixed(0)} MB/s of pixels; ${kb.toFixed(1)} kB over the channel in noVNC's encodings) | ` +
        `ratio page/direct ${(fp / fd).toFixed(2)}x`,
    );
    say(`page key to pixels, its parts: the update's bytes reached the page at ${median(arrivals).toFixed(1)} ms (median), noVNC drew them by ${kp.toFixed(1)} ms`);
    say(`the page's channel alone (page to host and back, no VNC): median ${median(pings).toFixed(1)} ms`);
  } finally {
    await page?.close();
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
