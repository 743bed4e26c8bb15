// Rebuilding a network from what a file says of it: the named networks adapt to the input's channels and
// size and to the number of classes (the reference CNN's Linear takes 32·⌊H/4⌋·⌊W/4⌋ inputs, as PyTorch's
// flooring MaxPool2d leaves them); `npm run eval` picks the network a file names, and refuses data whose
// classes or shapes are not the file's, listing both.
import { describe, expect, test } from 'vitest';
import { ConfigError, ShapeError, referenceCnn, smallResNet } from '../src/index';
import { checkModelFitsData, checkSameClasses, disposeData, MNIST_CLASSES, mnistData } from '../src/cli/datasets';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import { networkOf } from '../src/cli/models';
import { testEngine } from './support/gpu';

describe('the named networks adapt to the data', () => {
  test.each([
    [[1, 28, 28], 10, 1568],
    [[3, 32, 32], 6, 2048],
    [[3, 30, 22], 2, 32 * 7 * 5],
    [[2, 4, 5], 3, 32],
  ])('reference CNN on %j with %i classes: Linear(%i → classes)', async (inputShape, classes, features) => {
    const engine = await testEngine();
    const model = referenceCnn(engine, { inputShape, classes });
    const shapes = new Map([...await model.getParameters()].map(([name, t]) => [name, t.shape]));
    expect(shapes.get('conv1.0.weight')).toEqual([16, inputShape[0], 5, 5]);
    expect(shapes.get('out.weight')).toEqual([classes, features]);
    const output = await model.predict(new Float32Array(2 * inputShape.reduce((a, b) => a * b, 1)));
    expect(output.shape).toEqual([2, classes]);
    await model.dispose();
  });

  test('the small ResNet too; shapes the reference CNN cannot take are refused', async () => {
    const engine = await testEngine();
    const model = smallResNet(engine, { inputShape: [3, 16, 16], classes: 4 });
    expect(model.shapes.at(-1)).toEqual([4]);
    expect((await model.getParameters()).get('features.0.weight')!.shape).toEqual([16, 3, 3, 3]);
    await model.dispose();
    expect(() => referenceCnn(engine, { inputShape: [1, 3, 28] })).toThrow(ShapeError);
    expect(() => referenceCnn(engine, { inputShape: [28, 28] })).toThrow('referenceCnn inputShape: got shape [28, 28], expected [channels, height, width] with height and width of at least 4');
    expect(() => referenceCnn(engine, { classes: 0 })).toThrow('referenceCnn: classes is 0. classes must be a positive integer.');
  });
});

describe('npm run eval: which network, on which data', () => {
  test('the network a file names, else --model, else the reference CNN', () => {
    expect(networkOf('f', undefined, undefined)).toBe('reference');
    expect(networkOf('f', undefined, 'small-resnet')).toBe('small-resnet');
    expect(networkOf('f', { network: 'small-resnet' }, undefined)).toBe('small-resnet');
    expect(networkOf('f', { classes: ['a'] }, 'small-resnet')).toBe('small-resnet');
    expect(() => networkOf('f', { network: 'small-resnet' }, 'reference')).toThrow('f: its network is "small-resnet", but --model says reference. Leave --model out, or give --model small-resnet.');
    expect(() => networkOf('f', { network: 'my-net' }, undefined)).toThrow('f: its network is "my-net", which this command cannot build. It builds reference, small-resnet.');
  });

  test('a file\'s classes must be the data\'s, in order; the error lists both', () => {
    expect(() => checkSameClasses(['cat', 'dog'], 'm.safetensors', ['cat', 'dog'], 'photos/')).not.toThrow();
    expect(() => checkSameClasses(['cat', 'dog'], 'm.safetensors', ['cat', 'dog', 'eel'], 'photos/')).toThrow(
      'm.safetensors: its classes are "cat", "dog"; the classes of photos/ are "cat", "dog", "eel". Evaluate it on data with the classes it was trained on, in the same order.',
    );
    expect(() => checkSameClasses(['cat', 'dog'], 'm.safetensors', ['dog', 'cat'], 'photos/')).toThrow(/the classes of photos\/ are "dog", "cat" \(the same names in another order\)/);
    expect(() => checkSameClasses(['cat'], 'm', ['cow'], 'p')).toThrow(ConfigError);
  });

  test('a model is checked against the data: shapes, class names, or the count of classes where it has no names', async () => {
    const engine = await testEngine();
    const mnist = { source: 'MNIST', classes: MNIST_CLASSES, sampleShape: [1, 28, 28] };
    const reference = referenceCnn(engine);
    expect(() => checkModelFitsData(reference, 'f', mnist)).not.toThrow();
    reference.info = { classes: MNIST_CLASSES.map((c) => `digit ${c}`) };
    expect(() => checkModelFitsData(reference, 'f', mnist)).toThrow(/^f: its classes are "digit 0", .*"digit 9"; the classes of MNIST are "0", .*"9"\./);
    const colour = referenceCnn(engine, { inputShape: [3, 28, 28] });
    expect(() => checkModelFitsData(colour, 'f', mnist)).toThrow('f: its network takes inputs of shape [3, 28, 28], the samples of MNIST are [1, 28, 28]');
    const six = referenceCnn(engine, { classes: 6 });
    expect(() => checkModelFitsData(six, 'f', mnist)).toThrow('f: its network has 6 class outputs, MNIST has 10 classes');
    await Promise.all([reference.dispose(), colour.dispose(), six.dispose()]);
  });

  test('MNIST is uploaded with a file\'s normalisation, to be evaluated as the network was trained', async () => {
    const engine = await testEngine();
    const mnist = await loadMnistFromPackage();
    const plain = mnistData(engine, mnist);
    expect(plain.train).toBeUndefined();
    expect(plain.heldOut.dataset.normalize).toBeUndefined();
    const normalized = mnistData(engine, mnist, { trainLimit: 100, normalize: { mean: [0.1307], std: [0.3081] } });
    expect(normalized.heldOut.dataset.normalize).toEqual({ mean: [0.1307], std: [0.3081] });
    expect(normalized.train!.normalize).toEqual({ mean: [0.1307], std: [0.3081] });
    expect(normalized.train!.count).toBe(100);
    expect(normalized.normalize).toEqual({ mean: [0.1307], std: [0.3081] });
    disposeData(plain);
    disposeData(normalized);
  });
});
