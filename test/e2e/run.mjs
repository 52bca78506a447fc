// `npm run test:e2e`: brings the test bundles and the VSIX up to date, then runs the end-to-end
// tests with Node's own runner, one file at a time (each test starts its own code-server).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureTestBundles, ensureVsix } from '../../scripts/freshness.mjs';

ensureTestBundles();
ensureVsix();
// Screenshots left by an earlier run would pass for this run's.
const screenshots = 'test-output/e2e';
mkdirSync(screenshots, { recursive: true });
for (const file of readdirSync(screenshots)) {
  if (file.endsWith('.png')) rmSync(path.join(screenshots, file));
}
const { status } = spawnSync(process.execPath, ['--test', '--test-concurrency=1', 'out/test/e2e/'], { stdio: 'inherit' });
process.exit(status ?? 1);
