import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import packageJson from '../package.json';

// The copies the server serves at /sdk/ (committed; `npm run check-served` proves they are the current build).
const served = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'Callscope.Server', 'wwwroot', 'sdk');

describe('the served bundles', () => {
  test('the script-tag bundle defines the global Callscope, and nothing else', () => {
    const context = vm.createContext({ TextEncoder });
    const before = new Set(Object.getOwnPropertyNames(context));

    vm.runInContext(readFileSync(join(served, 'callscope.js'), 'utf8'), context);

    const added = Object.getOwnPropertyNames(context).filter((name) => !before.has(name));
    assert.deepEqual(added, ['Callscope']);
    const api = (context as { Callscope: Record<string, unknown> }).Callscope;
    assert.equal(typeof api.connect, 'function');
    assert.equal(typeof api.CallscopeError, 'function');
    assert.equal(api.version, packageJson.version);
  });

  test('the ES module exports connect, CallscopeError and version', async () => {
    const module = (await import(pathToFileURL(join(served, 'callscope.mjs')).href)) as Record<string, unknown>;

    assert.deepEqual(Object.keys(module).sort(), ['CallscopeError', 'connect', 'version']);
    assert.equal(module.version, packageJson.version);
  });

  test('a script-tag client sends an event with the given fetch', async () => {
    const requests: Array<{ url: string; body: string }> = [];
    const context = vm.createContext({
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      TextEncoder,
      Response,
      crypto: globalThis.crypto,
    });
    vm.runInContext(readFileSync(join(served, 'callscope.js'), 'utf8'), context);
    const api = (context as { Callscope: { connect(options: unknown): { event(type: string): void; close(): Promise<void> } } }).Callscope;
    const client = api.connect({
      url: 'https://cs.example',
      token: 'token',
      fetch: async (url: string, init: { body: string }) => {
        requests.push({ url, body: init.body });
        return new Response('{"accepted":1,"duplicates":0}', { status: 202 });
      },
    });

    client.event('bundle_loaded');
    await client.close();

    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, 'https://cs.example/api/v1/ingest/client');
    assert.deepEqual(JSON.parse(requests[0].body).events.map((e: { type: string }) => e.type), ['bundle_loaded']);
  });
});
