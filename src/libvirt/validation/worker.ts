/**
 * The body of the validation worker thread, run with `new Worker(source, { eval: true })` so that it needs no file
 * of its own next to the bundles. It must stay self-contained: it is turned into source text with toString().
 *
 * One xmllint instance stays alive: it is started as `xmllint --relaxng <schema> --noout /q/0 /q/1 ... /q/N-1`, so
 * the schema is compiled once. Each /q/i is an Emscripten device whose first read blocks (Atomics.wait) until the
 * main thread sends the next document through a MessagePort; the first read of /q/i+1 means xmllint is done with
 * /q/i, so the stderr collected since is that document's answer. After N documents a new instance starts.
 */
export interface WorkerData {
  readonly xmllintPath: string;
  readonly wasmPath: string;
  readonly port: import('node:worker_threads').MessagePort;
  /** Int32 flag the main thread sets and notifies when it posted a document. */
  readonly signal: SharedArrayBuffer;
  readonly schemaName: string;
  readonly files: readonly { readonly fileName: string; readonly contents: string }[];
  readonly slots: number;
}

/** Messages the worker posts to the main thread. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly output: string }
  | { readonly kind: 'failed'; readonly message: string };

/** The part of the WebAssembly API used here (the project's lib settings do not declare it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number }) => object;
  instantiate(module: object, imports: object): Promise<object>;
}

export function workerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const data = wt.workerData as WorkerData;
  const parent = wt.parentPort!;
  const flag = new Int32Array(data.signal);
  const encoder = new TextEncoder();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(data.xmllintPath) as (arg: Record<string, unknown>) => Promise<unknown>;
  const WA = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  const wasm = new WA.Module(fs.readFileSync(data.wasmPath));
  let output = '';
  let reading = false;

  const post = (m: WorkerMessage): void => parent.postMessage(m);
  const nextDocument = (): string => {
    for (;;) {
      const m = wt.receiveMessageOnPort(data.port);
      if (m) return m.message as string;
      Atomics.wait(flag, 0, 0);
      Atomics.store(flag, 0, 0);
    }
  };
  const device = (): (() => number | null) => {
    let bytes: Uint8Array | undefined;
    let pos = 0;
    return () => {
      if (!bytes) {
        // The previous document (if any) is finished: everything printed since belongs to it.
        post(reading ? { kind: 'result', output } : { kind: 'ready' });
        output = '';
        reading = true;
        bytes = encoder.encode(nextDocument());
      }
      return pos < bytes.length ? bytes[pos++]! : null;
    };
  };

  const start = (): void => {
    reading = false;
    const args = ['--relaxng', data.schemaName, '--noout'];
    for (let i = 0; i < data.slots; i++) args.push(`/q/${i}`);
    const arg: Record<string, unknown> = {
      inputFiles: data.files,
      arguments: args,
      print: () => undefined,
      printErr: (t: string) => {
        output += `${t}\n`;
      },
      onExit: () => {
        if (reading) post({ kind: 'result', output });
        output = '';
        setImmediate(start);
      },
      onAbort: (reason: unknown) => post({ kind: 'failed', message: `xmllint aborted: ${String(reason)}` }),
      instantiateWasm: (imports: object, done: (instance: object, module: object) => void) => {
        WA.instantiate(wasm, imports).then(
          (instance) => done(instance, wasm),
          (e: unknown) => post({ kind: 'failed', message: String(e) }),
        );
        return {};
      },
      wasmMemory: new WA.Memory({ initial: 1024, maximum: 16384 }),
      preInit: () => {
        const mk = arg.FS_createPath as (p: string, n: string, r: boolean, w: boolean) => void;
        const dev = arg.FS_createDevice as (p: string, n: string, i: () => number | null, o: null) => void;
        mk('/', 'q', true, true);
        for (let i = 0; i < data.slots; i++) dev('/q', String(i), device(), null);
      },
    };
    factory(arg).catch((e: unknown) => post({ kind: 'failed', message: String(e) }));
  };
  start();
}
