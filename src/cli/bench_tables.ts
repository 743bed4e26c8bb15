// What `npm run bench` prints for people: one engine measurement in full (per kernel), and the browser
// section's table of this engine beside TensorFlow.js.
import type { FusionNetworkReport } from '../bench/activation_fusion';
import type { EngineReport } from '../bench/measure_engine';
import type { BrowserReport } from './bench_browser';

export function printEngineReport(title: string, r: EngineReport): void {
  const ofCeiling = (gflops: number) => `${((100 * gflops) / r.matmul_gflops).toFixed(0)}%`;
  // The idle time is a training step's wall time less the whole step's GPU time, measured apart: when the
  // load changes between the two it can come out negative, which says only that no idle time was seen.
  const idle = (ms: number) => (ms >= 0 ? `GPU idle ${ms.toFixed(2)} ms per step` : `no GPU idle time measurable (a step's wall time was ${(-ms).toFixed(2)} ms under the profiled step's GPU time)`);
  const dispatch = (d: EngineReport['dispatch']) =>
    `${d.steps_per_submit.toFixed(1)} steps per submission: ${d.train_samples_per_s.toFixed(1)} samples/s, host records and submits a step in ${d.host_submit_ms_per_step.toFixed(3)} ms, ${idle(d.gpu_idle_ms_per_step)}`;
  console.log(`\n${title}: ${r.model} network`);
  console.log(`  training   ${r.train_samples_per_s.toFixed(1)} samples/s (${r.train_gflops.toFixed(2)} GFLOP/s at ${(r.flops_per_sample / 1e6).toFixed(1)} MFLOP per sample), batch ${r.batch_size}, steady state`);
  console.log(`  evaluation ${r.eval_images_per_s.toFixed(1)} images/s (${r.eval_images} images, batch 500)`);
  console.log(`  first step ${r.first_step_seconds.toFixed(2)} s (pipeline compilation included)`);
  console.log(`  predict one image: p50 ${r.predict_ms_p50.toFixed(2)} ms, p95 ${r.predict_ms_p95.toFixed(2)} ms (${r.predict_repeats} calls)`);
  const others = Object.entries(r.matmul_kernels).filter(([name]) => name !== r.matmul_kernel).map(([name, g]) => `${name} ${g.toFixed(2)}`).join(', ');
  const [low, high] = r.matmul_gflops_range;
  console.log(`  ceiling    ${r.matmul_gflops.toFixed(2)} GFLOP/s (${r.matmul_kernel} matmul, 1024³, the median of ${r.matmul_runs} runs spread through this measurement, ${low.toFixed(2)}–${high.toFixed(2)}; first round: ${others}); training reaches ${ofCeiling(r.train_gflops)} of it, evaluation ${ofCeiling((r.eval_images_per_s * r.eval_flops_per_image) / 1e9)}`);
  console.log(`  autotune   ${(r.autotune_ms / 1000).toFixed(2)} s in all (building and timing candidates)`);
  console.log(`  dispatch   one step takes ${r.gpu_step_ms.toFixed(2)} ms on the GPU (${r.timing}); stepsPerSubmit ${r.steps_per_submit_option}:`);
  console.log(`             ${dispatch(r.dispatch)}`);
  console.log(`             ${dispatch(r.one_step_per_submit)}`);
  console.log(`             training speed ratio, the first line ÷ the second: ${(r.dispatch.train_samples_per_s / r.one_step_per_submit.train_samples_per_s).toFixed(3)}×`);
  for (const d of r.autotune) {
    const times = Object.entries(d.ms).map(([variant, ms]) => `${variant} ${ms.toFixed(1)} ms${d.pruned.includes(variant) ? ' (pruned)' : ''}`).join(', ');
    const skipped = d.skipped.length > 0 ? `; not tried within the budget: ${d.skipped.join(', ')}` : '';
    const how = d.remembered ? 'remembered from an earlier run' : `${times}${skipped}; tuned in ${(d.tuning_ms / 1000).toFixed(2)} s, ${(d.build_ms / 1000).toFixed(2)} s of it creating pipelines`;
    console.log(`  autotune   ${d.problem.replace(/ #\w+$/, '')}: ${d.chosen} (${how})`);
  }
  console.log(`  per kernel (${r.timing}, median of ${r.profile_repeats} steps):`);
  console.log(`    ${'kernel'.padEnd(58)} ${'ms'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'% ceil'.padStart(7)} ${'share'.padStart(6)}`);
  for (const k of r.kernels) {
    if (k.ms === 0 && k.gflops === 0) continue;
    const counted = Number.isFinite(k.gflops) && k.gflops > 0;
    console.log(`    ${k.name.padEnd(58)} ${k.ms.toFixed(2).padStart(8)} ${(counted ? k.gflops.toFixed(2) : '').padStart(8)} ${(counted ? ofCeiling(k.gflops) : '').padStart(7)} ${(100 * k.share).toFixed(1).padStart(5)}%`);
  }
}

const times = (x: number) => `${x.toFixed(2)}×`;
const WIDTHS = [10, 12, 12, 12, 12];
const row = (run: string, cells: string[], adapter: string) => `  ${run.padEnd(22)}${cells.map((c, i) => c.padStart(WIDTHS[i])).join('')}   ${adapter}`.trimEnd();

/** The browser section: this engine in full, then a row per run with the ratios this engine ÷ that run. */
export function printBrowserReport(r: BrowserReport): void {
  const engine = r.engine;
  if (engine.available) printEngineReport(`this engine in ${r.browser}: ${engine.adapter}`, engine);
  const setting = engine.available ? `training at batch ${engine.batch_size} (steady state), evaluation of ${engine.eval_images} test images at batch 500` : '';
  console.log(`
${r.browser}: this engine beside TensorFlow.js, ${setting}`);
  console.log("  The ratios: this engine's rate ÷ that row's (above 1×, this engine is faster).");
  console.log(row('run', ['training', 'evaluation', 'first step', 'training', 'evaluation'], 'adapter'));
  console.log(row('', ['samples/s', 'images/s', 'seconds', 'ratio', 'ratio'], ''));
  if (engine.available) {
    console.log(row('this engine', [engine.train_samples_per_s.toFixed(1), engine.eval_images_per_s.toFixed(1), engine.first_step_seconds.toFixed(2), '', ''], engine.adapter));
  } else {
    console.log(`  ${'this engine'.padEnd(22)}unavailable: ${engine.reason}`);
  }
  for (const t of r.tfjs) {
    if (!t.available) {
      console.log(`  ${`TF.js ${t.backend}`.padEnd(22)}unavailable: ${t.reason}`);
      continue;
    }
    const ratio = t.ours_over_theirs;
    const cells = [t.train_samples_per_s.toFixed(1), t.eval_images_per_s.toFixed(1), t.first_step_seconds.toFixed(2), ratio ? times(ratio.train) : '', ratio ? times(ratio.eval) : ''];
    console.log(row(`TF.js ${t.tfjs_version} ${t.backend}`, cells, t.adapter));
  }
}

/** `--activation-fusion`: per network, the step and the activations' own passes, built without fusion and with it. */
export function printFusionReport(adapter: string, reports: FusionNetworkReport[]): void {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`\n${adapter}: activation passes in a training step (timestamp queries; each dispatch's median over steps alternating fusion off and on; ms)`);
  console.log(`  ${'network'.padEnd(48)} ${'fusion'.padEnd(6)} ${'step'.padStart(9)} ${'act fwd'.padStart(8)} ${'act bwd'.padStart(8)} ${'producer fwd'.padStart(13)}`);
  for (const r of reports) {
    const cells = [r.step_ms, r.activation_forward_ms, r.activation_backward_ms, r.producer_forward_ms].map((ms, i) => ms.toFixed(2).padStart([9, 8, 8, 13][i]));
    console.log(`  ${r.network.padEnd(48)} ${(r.fusion ? 'on' : 'off').padEnd(6)} ${cells.join(' ')}`);
  }
  for (const r of reports.filter((x) => !x.fusion)) {
    console.log(`  ${r.network}: ${r.activation_elements} activation elements per step of ${r.batch_size}; a separate pass moves ${mb(r.separate_pass_bytes.forward)} forward, ${mb(r.separate_pass_bytes.backward)} backward`);
  }
}
