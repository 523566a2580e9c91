/**
 * Runs xmllint (xmllint-wasm) against the host's libvirt RelaxNG schemas, keeping one instance warm in a worker
 * thread so that the schema is compiled once (see worker.ts). Answers are xmllint's raw stderr, per document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { MissingDependencyError } from '../../core/errors';
import type { SchemaFile } from './schema';
import { workerMain, type WorkerData, type WorkerMessage } from './worker';

/** Where virt-xml-validate finds them; never copied into the project. */
export const DEFAULT_SCHEMA_DIR = '/usr/share/libvirt/schemas';

/** Documents per xmllint instance before a fresh one starts (argv and device nodes are made up front). */
const SLOTS = 2000;

/** xmllint-node.js and xmllint.wasm: next to the bundle (dist/) or in node_modules when run from source. */
function xmllintFiles(): { xmllintPath: string; wasmPath: string } {
  const dirs = [__dirname];
  try {
    dirs.push(path.dirname(require.resolve('xmllint-wasm/package.json')));
  } catch {
    // Bundled: only __dirname applies.
  }
  for (const d of dirs) {
    const xmllintPath = path.join(d, 'xmllint-node.js');
    const wasmPath = path.join(d, 'xmllint.wasm');
    if (fs.existsSync(xmllintPath) && fs.existsSync(wasmPath)) return { xmllintPath, wasmPath };
  }
  throw new MissingDependencyError(`xmllint-wasm's files are missing (looked in ${dirs.join(', ')}): reinstall.`, 'xmllint-wasm');
}

/** One warm xmllint; documents are answered in the order they were sent. */
export class XmllintEngine {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending: { resolve: (out: string) => void; reject: (e: Error) => void }[] = [];
  private readyPromise: Promise<void> | undefined;

  /** `schema` gives the files (read once, when first needed) and the name of the one to compile. */
  constructor(private readonly schema: () => { readonly files: readonly SchemaFile[]; readonly name: string }) {}

  /** Starts the worker and compiles the schema (resolves once xmllint waits for its first document). */
  start(): Promise<void> {
    if (this.readyPromise) return this.readyPromise;
    let schema: ReturnType<typeof this.schema>;
    try {
      schema = this.schema();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const files = schema.files;
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.signal = new Int32Array(signal);
    const data: WorkerData = { ...xmllintFiles(), port: port2, signal, schemaName: schema.name, files, slots: SLOTS };
    // __name: the helper esbuild/tsx insert when they keep function names; the worker has no bundle around it.
    const source = `var __name = (f) => f;\n(${workerMain.toString()})();`;
    const worker = new Worker(source, { eval: true, workerData: data, transferList: [port2] });
    this.worker = worker;
    this.port = port1;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (this.worker !== worker) return;
        if (m.kind === 'ready') {
          resolve();
          if (this.pending.length === 0) worker.unref();
        }
        else if (m.kind === 'result') {
          this.pending.shift()?.resolve(m.output);
          if (this.pending.length === 0) worker.unref();
        } else this.fail(new Error(m.message), reject);
      });
      worker.on('error', (e) => {
        if (this.worker === worker) this.fail(e, reject);
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.fail(new Error('the validation worker stopped'), reject);
      });
    });
    // Referenced only while compiling or answering: an idle worker must not keep a process (CLI, tests) alive.
    this.readyPromise.catch(() => undefined);
    return this.readyPromise;
  }

  /** xmllint's stderr for one document (ending with "<file> validates" or "<file> fails to validate"). */
  async run(text: string): Promise<string> {
    const ready = this.start();
    if (!this.port) await ready; // it could not start: rejects with the reason
    const out = new Promise<string>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.worker?.ref();
    this.port!.postMessage(text);
    Atomics.store(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
    await ready;
    return out;
  }

  private fail(e: Error, reject: (e: Error) => void): void {
    reject(e);
    const worker = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    this.readyPromise = undefined;
    for (const p of this.pending.splice(0)) p.reject(e);
    if (worker) void worker.terminate();
  }

  dispose(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.removeAllListeners();
    this.fail(new Error('validation stopped'), () => undefined);
  }
}
