// The worker is an ES module, like the page: webgpu-cnn loads one part of itself on demand.
export default { worker: { format: 'es' } };
