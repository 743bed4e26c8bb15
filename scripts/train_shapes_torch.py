#!/usr/bin/env python3
"""Trains the design's small ResNet in PyTorch on an image folder (torchvision's ImageFolder layout, e.g. the
one `npm run make-shapes` writes), to show how learnable a dataset is: the same network, optimiser and
schedule as `smallResNet` with Adam and a cosine schedule, a 10% validation split, accuracy per epoch.

    npm run make-shapes -- --out /tmp/shapes
    /usr/bin/python3 scripts/train_shapes_torch.py /tmp/shapes [epochs, default 8]

Needs PyTorch and Pillow only (Debian: apt-get install python3-torch python3-pil).
"""
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

root = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 8
torch.manual_seed(1)
classes = sorted(c for c in os.listdir(root) if not c.startswith('.'))
images, labels = [], []
for label, name in enumerate(classes):
    for file in sorted(os.listdir(os.path.join(root, name))):
        images.append(np.asarray(Image.open(os.path.join(root, name, file)).convert('RGB')).transpose(2, 0, 1))
        labels.append(label)
x = torch.tensor(np.stack(images)).float() / 255
y = torch.tensor(labels)
order = torch.randperm(len(y))
validation, train = order[:len(y) // 10], order[len(y) // 10:]


def conv(i, o):
    return nn.Conv2d(i, o, 3, padding=1, bias=False)


class SmallResNet(nn.Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.features = nn.Sequential(conv(channels, 16), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                                      conv(16, 32), nn.BatchNorm2d(32), nn.ReLU())
        self.block = nn.Sequential(conv(32, 32), nn.BatchNorm2d(32), nn.ReLU(), conv(32, 32), nn.BatchNorm2d(32))
        self.head = nn.Sequential(nn.MaxPool2d(2), conv(32, 64), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, classes))

    def forward(self, x):
        x = self.features(x)
        return self.head(torch.relu(x + self.block(x)))


model = SmallResNet(x.shape[1], len(classes))
optimizer = torch.optim.Adam(model.parameters(), 1e-3)
batches = len(train) // 50
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * batches)
start = time.time()
for epoch in range(epochs):
    model.train()
    shuffled = train[torch.randperm(len(train))]
    for b in range(batches):
        batch = shuffled[b * 50:(b + 1) * 50]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        schedule.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[validation]).argmax(1) == y[validation]).float().mean().item()
    print(f'epoch {epoch + 1}: loss {loss.item():.3f}, validation accuracy {accuracy:.4f} ({time.time() - start:.0f} s)', flush=True)
