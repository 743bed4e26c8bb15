#!/usr/bin/env python3
"""PyTorch's side of the GPU benchmark kit: trains the design's two networks with their recipes on one device,
timed the way `bench` times this engine, so both sides of the comparison come from the same run.

- Data already on the device: MNIST's images as float32 pixels / 255 and the labels, uploaded once; each step
  takes its batch from a shuffled index list on the device (a new permutation when one runs out). No
  DataLoader, no host-to-device copy in a step, no loss read back until the end.
- The recipes: the reference CNN with Adam (lr 1e-3); the small ResNet with Adam (lr 1e-3) and
  CosineAnnealingLR(T_max = the steps of one epoch) stepped after every step, Dropout 0.2, BatchNorm in training
  mode. Batch 50 and PyTorch's defaults otherwise (cuDNN autotuning on, TF32 as the defaults say: recorded).
- One first step (cuDNN autotuning, lazy kernel loading and, with --compile, compilation: reported as
  first_step_seconds), warm-up steps (not counted), then the timed steps: their wall clock from a synchronised
  start to a synchronised end. An epoch is reported as 60,000 images at that rate (1200 steps at batch 50).
- Evaluation: the first --eval-images test images at batch 500, in eval mode without gradients; one pass to warm
  up, the second timed.

The networks are the fixtures' PyTorch modules (make_torch_fixture.CNN, make_small_resnet_fixture.SmallResNet),
found beside this file in the kit and in test/fixtures in the repository. Writes {"results": [...]} to --out
after each network, so a run cut short keeps what it measured.

    python3 torch_bench.py --data DIR --models reference small-resnet --out torch.json [--device cpu] [--steps 500]
"""
import argparse
import json
import pathlib
import sys
import time

import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent
for folder in (HERE, HERE.parents[1] / 'test' / 'fixtures'):
    if (folder / 'torch_fixture_common.py').exists():
        sys.path.insert(0, str(folder))
        break
from make_small_resnet_fixture import SmallResNet  # noqa: E402
from make_torch_fixture import CNN  # noqa: E402
from torch_fixture_common import read_idx  # noqa: E402

EPOCH_IMAGES = 60_000
EVAL_BATCH = 500
LR = 1e-3
RECIPES = {
    'reference': (CNN, False, 'Adam lr 1e-3, constant'),
    'small-resnet': (SmallResNet, True, 'Adam lr 1e-3, CosineAnnealingLR over one epoch stepped every step, Dropout 0.2'),
}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--data', required=True, type=pathlib.Path, help='folder of the four MNIST IDX files')
    parser.add_argument('--models', nargs='+', choices=sorted(RECIPES), default=['reference', 'small-resnet'])
    parser.add_argument('--out', required=True, type=pathlib.Path)
    parser.add_argument('--device', choices=['auto', 'cuda', 'cpu'], default='auto', help='auto: CUDA, or fail without it')
    parser.add_argument('--steps', type=int, default=500, help='timed training steps')
    parser.add_argument('--warmup-steps', type=int, default=20)
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument('--eval-images', type=int, default=10_000)
    parser.add_argument('--compile', metavar='MODE', help="torch.compile the network with this mode (e.g. default, reduce-overhead)")
    parser.add_argument('--seed', type=int, default=1)
    return parser.parse_args()


def pick_device(name):
    if name == 'cpu':
        return torch.device('cpu')
    if not torch.cuda.is_available():
        sys.exit(f'torch_bench: torch {torch.__version__} sees no CUDA device (torch.version.cuda = {torch.version.cuda})')
    return torch.device('cuda')


def load_split(data, split, count, device):
    images = read_idx(data / f'{split}-images-idx3-ubyte')[:count]
    labels = read_idx(data / f'{split}-labels-idx1-ubyte')[:count]
    return images.float().div(255).unsqueeze(1).to(device), labels.long().to(device)


def measure(name, args, device, train, test):
    build, cosine, recipe = RECIPES[name]
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    model = build().to(device)
    parameters = sum(p.numel() for p in model.parameters())
    if args.compile:
        model = torch.compile(model, mode=args.compile)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = EPOCH_IMAGES // args.batch_size
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps_per_epoch) if cosine else None
    images, labels = train
    state = {'order': torch.randperm(len(labels), device=device), 'cursor': 0}

    def steps(count):
        model.train()
        for _ in range(count):
            if state['cursor'] + args.batch_size > len(labels):
                state['order'], state['cursor'] = torch.randperm(len(labels), device=device), 0
            batch = state['order'][state['cursor']:state['cursor'] + args.batch_size]
            state['cursor'] += args.batch_size
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
        return loss

    sync()
    setup = time.perf_counter() - started
    started = time.perf_counter()
    steps(1)
    sync()
    first_step = time.perf_counter() - started
    steps(args.warmup_steps)
    sync()
    started = time.perf_counter()
    loss = steps(args.steps)
    sync()
    seconds = time.perf_counter() - started
    samples_per_s = args.steps * args.batch_size / seconds

    test_images, test_labels = test
    model.eval()
    with torch.no_grad():
        for _ in range(2):
            sync()
            started = time.perf_counter()
            correct = sum((model(test_images[i:i + EVAL_BATCH]).argmax(1) == test_labels[i:i + EVAL_BATCH]).sum()
                          for i in range(0, len(test_labels), EVAL_BATCH))
            sync()
            eval_seconds = time.perf_counter() - started
    return {
        'model': name, 'recipe': recipe, 'parameters': parameters, 'batch_size': args.batch_size,
        'compile': args.compile, 'setup_seconds': setup, 'first_step_seconds': first_step,
        'warmup_steps': args.warmup_steps, 'steps': args.steps, 'steady_seconds': seconds,
        'step_ms': 1000 * seconds / args.steps, 'train_samples_per_s': samples_per_s,
        'epoch_seconds': EPOCH_IMAGES / samples_per_s, 'final_loss': loss.item(),
        'eval_images': len(test_labels), 'eval_images_per_s': len(test_labels) / eval_seconds,
        'eval_correct': int(correct),
    }


def main():
    args = arguments()
    device = pick_device(args.device)
    if args.compile and not hasattr(torch, 'compile'):
        sys.exit(f'torch_bench: torch {torch.__version__} has no torch.compile')
    torch.backends.cudnn.benchmark = True
    started = time.perf_counter()
    train = load_split(args.data, 'train', None, device)
    test = load_split(args.data, 't10k', args.eval_images, device)
    if len(train[1]) < args.batch_size:
        sys.exit(f'torch_bench: {len(train[1])} training images, fewer than a batch of {args.batch_size}')
    header = {
        'framework': 'pytorch', 'torch_version': torch.__version__, 'cuda_version': torch.version.cuda,
        'cudnn_version': torch.backends.cudnn.version(), 'device': device.type,
        'device_name': torch.cuda.get_device_name(device) if device.type == 'cuda' else f'CPU (torch threads: {torch.get_num_threads()})',
        'tf32': {'cudnn': torch.backends.cudnn.allow_tf32, 'matmul': torch.backends.cuda.matmul.allow_tf32},
        'data_seconds': time.perf_counter() - started, 'train_images': len(train[1]), 'results': [],
    }
    failed = False
    for name in args.models:
        try:
            result = measure(name, args, device, train, test)
        except Exception as e:  # one network's failure (a compiler error, say) must not lose the other's figures
            result, failed = {'model': name, 'error': f'{type(e).__name__}: {e}'}, True
        header['results'].append(result)
        args.out.write_text(json.dumps(header, indent=2) + '\n')
        print(json.dumps(result), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
