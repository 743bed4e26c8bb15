// Node's GPU wait (src/gpu/node_waiting.ts): it passes results and errors through, naps only while a wait
// is pending, and leaves nothing behind that would keep an app's process alive.
import { expect, test } from 'vitest';
import { napWhileWaiting } from '../src/gpu/node_waiting';

const immediates = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('a wait resolves and rejects as its work does, alone or overlapping', async () => {
  expect(await napWhileWaiting(Promise.resolve(42))).toBe(42);
  await expect(napWhileWaiting(Promise.reject(new Error('lost')))).rejects.toThrow('lost');
  const slow = napWhileWaiting(new Promise((resolve) => setTimeout(() => resolve('slow'), 30)));
  const fast = napWhileWaiting(new Promise((resolve) => setTimeout(() => resolve('fast'), 5)));
  expect(await Promise.all([slow, fast])).toEqual(['slow', 'fast']);
});

test('the naps run while a wait is pending and stop after it', async () => {
  await turns(3);
  const before = immediates();
  let release!: () => void;
  const pending = napWhileWaiting(new Promise<void>((resolve) => (release = resolve)));
  await turns(2);
  expect(immediates()).toBeGreaterThan(before);
  release();
  await pending;
  await turns(3);
  expect(immediates()).toBe(before);
});

