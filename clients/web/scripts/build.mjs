// Builds dist/callscope.mjs (ES module) and dist/callscope.js (script tag, global `Callscope`), both minified, and
// the type declarations; copies both bundles to the server's wwwroot/sdk and fails when either is over the gzip
// budget. With --check-served it copies nothing and fails when the served copies differ from the fresh build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const served = join(root, '..', '..', 'src', 'Callscope.Server', 'wwwroot', 'sdk');
const budgetBytes = 15 * 1024;
const checkServed = process.argv.includes('--check-served');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });

const common = {
  entryPoints: [join(root, 'src', 'index.ts')],
  bundle: true,
  minify: true,
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  charset: 'utf8',
  banner: { js: `/* @callscope/web ${version} */` },
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: join(dist, 'callscope.mjs') });
await build({ ...common, format: 'iife', globalName: 'Callscope', outfile: join(dist, 'callscope.js') });

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const bundles = ['callscope.js', 'callscope.mjs'];
let failed = false;
for (const name of bundles) {
  const bytes = readFileSync(join(dist, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const over = gzipped > budgetBytes;
  failed ||= over;
  console.log(`${name}: ${bytes.length} bytes, ${gzipped} bytes gzipped (budget ${budgetBytes})${over ? ' OVER BUDGET' : ''}`);
}
if (failed) {
  console.error('A bundle is over the gzip budget.');
  process.exit(1);
}

if (checkServed) {
  const stale = bundles.filter((name) => {
    try {
      return !readFileSync(join(dist, name)).equals(readFileSync(join(served, name)));
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(`src/Callscope.Server/wwwroot/sdk differs from a fresh build: ${stale.join(', ')}. Run npm run build and commit the copies.`);
    process.exit(1);
  }
  console.log('The served copies match the build.');
} else {
  mkdirSync(served, { recursive: true });
  for (const name of bundles) copyFileSync(join(dist, name), join(served, name));
  console.log(`Copied ${bundles.join(' and ')} to src/Callscope.Server/wwwroot/sdk.`);
}
