// The README's example, run as a newcomer runs it: build the package, then `node examples/quickstart.mjs`.
// The README shows the file verbatim, so the two cannot drift apart.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

test('the README shows examples/quickstart.mjs as it is', () => {
  const example = readFileSync(`${ROOT}examples/quickstart.mjs`, 'utf8').trimEnd();
  expect(readFileSync(`${ROOT}README.md`, 'utf8')).toContain(`\`\`\`js\n${example}\n\`\`\``);
});

test('npm run build && node examples/quickstart.mjs', async () => {
  await run('npm', ['run', 'build'], { cwd: ROOT });
  const { stdout } = await run(process.execPath, ['examples/quickstart.mjs'], { cwd: ROOT, timeout: 600_000 });
  expect(stdout).toMatch(/^adapter: .+$/m);
  expect(stdout).toContain('total parameters: 15898');
  const accuracy = Number(stdout.match(/accuracy on 1000 test images: ([\d.]+)%/)![1]);
  expect(accuracy).toBeGreaterThan(80);
  expect(stdout).toMatch(/first test image: predicted \d, labelled 7/);
  expect(stdout).toContain('0.weight [8,1,5,5], 0.bias [8], 4.weight [10,1568], 4.bias [10]');
}, 660_000);
