// Type-checks the sources and test/types.check.ts (the public types against livekit-client's Room and the DOM's
// RTCPeerConnection), then compiles test/*.test.ts with esbuild (packages stay external, so livekit-client is the
// installed one) and runs them with node's built-in test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build-test');
const tests = readdirSync(join(root, 'test'))
  .filter((name) => name.endsWith('.test.ts'))
  .sort();

const typecheck = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.check.json')], {
  stdio: 'inherit',
});
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: tests.map((name) => join(root, 'test', name)),
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

const files = tests.map((name) => join(out, name.replace(/\.ts$/, '.mjs')));
const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
