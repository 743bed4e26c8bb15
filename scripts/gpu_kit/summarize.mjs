// The GPU kit's closing table, from the JSON each section left in the results folder (run.sh calls it):
// this engine and PyTorch side by side per network, then this engine's details (ceiling, autotuner's
// choices, per-kernel times), then how each section ended. Reads what exists: a run cut short still gets
// the rows it measured.  Usage: node summarize.mjs RESULTS_DIR STATUS_TSV
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [results, statusFile] = process.argv.slice(2);
const EPOCH_IMAGES = 60_000;
const NETWORKS = ['reference', 'small-resnet'];

const read = (name) => (existsSync(join(results, name)) ? JSON.parse(readFileSync(join(results, name), 'utf8')) : null);
const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '');

/** One row per measured run: this engine's (from `bench --json`) and PyTorch's (from torch_bench.py). */
function rows(network) {
  const found = [];
  const engine = read(`engine-${network}.json`)?.adapters?.[0];
  if (engine) {
    found.push({
      run: 'this engine (WebGPU)', samples: engine.train_samples_per_s, batch: engine.batch_size, evalRate: engine.eval_images_per_s,
      first: engine.first_step_seconds, ceiling: (100 * engine.train_gflops) / engine.matmul_gflops, device: engine.adapter,
    });
  }
  for (const [file, label] of [[`torch-${network}.json`, 'eager'], ['torch-compiled.json', 'compiled']]) {
    const torch = read(file);
    const result = torch?.results.find((r) => r.model === network);
    if (!result) continue;
    const run = `PyTorch ${torch.torch_version} ${label}`;
    if (result.error) found.push({ run, error: result.error });
    else found.push({ run, samples: result.train_samples_per_s, batch: result.batch_size, evalRate: result.eval_images_per_s, first: result.first_step_seconds, device: torch.device_name });
  }
  return found;
}

const COLUMNS = [['network', 14], ['run', 30], ['step ms', 10], ['samples/s', 11], ['epoch s', 10], ['eval img/s', 12], ['first step s', 14], ['% ceiling', 11], ['engine ÷ row', 14]];
const line = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(COLUMNS[i][1]) : cell.padStart(COLUMNS[i][1]))).join('').trimEnd();

function table() {
  const out = [line(COLUMNS.map(([name]) => name))];
  for (const network of NETWORKS) {
    const measured = rows(network);
    const engineRate = measured.find((r) => r.run.startsWith('this engine'))?.samples;
    if (measured.length === 0) out.push(line([network, '(nothing measured)']));
    for (const r of measured) {
      if (r.error) {
        out.push(line([network, r.run]) + `  failed: ${r.error.slice(0, 120)}`);
        continue;
      }
      const ratio = engineRate && !r.run.startsWith('this engine') ? `${(engineRate / r.samples).toFixed(2)}×` : '';
      const cells = [network, r.run, fixed((1000 * r.batch) / r.samples, 2), fixed(r.samples, 0), fixed(EPOCH_IMAGES / r.samples, 2), fixed(r.evalRate, 0), fixed(r.first, 2), fixed(r.ceiling, 0), ratio];
      out.push(`${line(cells)}   ${r.device}`);
    }
  }
  return out;
}

function engineDetails() {
  const out = [];
  for (const network of NETWORKS) {
    const e = read(`engine-${network}.json`)?.adapters?.[0];
    if (!e) continue;
    out.push('', `this engine, ${network}: ${e.adapter}`);
    out.push(`  training ${fixed(e.train_gflops, 1)} GFLOP/s at ${fixed(e.flops_per_sample / 1e6, 1)} MFLOP per sample; matmul ceiling ${fixed(e.matmul_gflops, 1)} GFLOP/s; predict one image p50 ${fixed(e.predict_ms_p50, 2)} ms`);
    for (const d of e.autotune ?? []) {
      const times = Object.entries(d.ms).map(([variant, ms]) => `${variant} ${fixed(ms, 2)} ms`).join(', ');
      out.push(`  autotune ${d.problem.replace(/ #\w+$/, '')}: ${d.chosen} (${d.remembered ? 'remembered' : times})`);
    }
    out.push(`  per kernel (${e.timing}, median of ${e.profile_repeats} steps), largest first:`);
    for (const k of [...(e.kernels ?? [])].sort((a, b) => b.ms - a.ms).slice(0, 12)) {
      const rate = k.gflops > 0 && Number.isFinite(k.gflops) ? `${fixed(k.gflops, 1)} GFLOP/s` : '';
      out.push(`    ${k.name.padEnd(60)} ${fixed(k.ms, 3).padStart(9)} ms ${fixed(100 * k.share, 1).padStart(5)}% ${rate.padStart(14)}`);
    }
  }
  return out;
}

function sections() {
  if (!existsSync(statusFile)) return [];
  const lines = readFileSync(statusFile, 'utf8').trim().split('\n').filter(Boolean);
  return ['', 'sections:', ...lines.map((l) => {
    const [name, status, seconds, detail] = l.split('\t');
    return `  ${name.padEnd(20)} ${status.padEnd(10)} ${seconds.padStart(4)} s  ${detail}`;
  })];
}

const torch = ['torch-reference.json', 'torch-small-resnet.json', 'torch-compiled.json'].map(read).find(Boolean);
console.log([
  'webgpu-cnn GPU kit: training at the batch size shown, steady state',
  ...table(),
  `epoch s: ${EPOCH_IMAGES.toLocaleString('en')} images at the steady-state rate (1200 steps at batch 50); the first step (pipeline compilation,`,
  'autotuning; cuDNN autotuning and torch.compile on the PyTorch side) is in "first step s", not in the epoch.',
  '% ceiling: training GFLOP/s over the adapter\'s matmul ceiling. engine ÷ row: this engine\'s samples/s over that row\'s.',
  ...(torch?.device === 'cuda' ? [`PyTorch: ${torch.device_name}, CUDA ${torch.cuda_version}, cuDNN ${torch.cudnn_version}, TF32 for convolutions ${torch.tf32.cudnn}, for matmuls ${torch.tf32.matmul}`] : []),
  ...engineDetails(),
  ...sections(),
].join('\n'));
