/**
 * What the domain XML documents need from the manifest: activation by each URI scheme the extension serves (a
 * restored editor of ours must be readable before anything else activates the extension), and xmllint-wasm pinned
 * to the version installed (the validation worker drives its Emscripten module directly: see validation/worker.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as uris from '../../src/extension/xml/uris';
import * as diskUris from '../../src/extension/disks/uri';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  dependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('manifest for domain XML documents', () => {
  it('activates on every URI scheme the extension registers a provider for', () => {
    // The scheme constants: the XML documents' and the disk file system's.
    const constants = { ...uris, ...diskUris } as unknown as Record<string, unknown>;
    const registered = sources(path.join(root, 'src')).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/register(?:FileSystemProvider|TextDocumentContentProvider)\(\s*([A-Z_]+|'[^']+')/g)].map(
        (m) => (m[1]!.startsWith("'") ? m[1]!.slice(1, -1) : constants[m[1]!]),
      ),
    );
    assert.ok(registered.length >= 3, 'the providers were found in the sources');
    for (const scheme of registered) {
      assert.equal(typeof scheme, 'string', 'a scheme constant of src/extension/xml/uris.ts or src/extension/disks/uri.ts');
      assert.ok(pkg.activationEvents.includes(`onFileSystem:${scheme as string}`), `onFileSystem:${scheme as string}`);
    }
  });

  it('pins xmllint-wasm to the version installed', () => {
    const wanted = pkg.dependencies['xmllint-wasm']!;
    assert.match(wanted, /^\d+\.\d+\.\d+$/, 'an exact version, no range');
    const installed = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/xmllint-wasm/package.json'), 'utf8')) as { version: string }).version;
    assert.equal(wanted, installed);
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    assert.equal(lock.packages['node_modules/xmllint-wasm']?.version, installed);
    assert.equal(lock.packages['']?.dependencies?.['xmllint-wasm'], wanted);
  });
});
