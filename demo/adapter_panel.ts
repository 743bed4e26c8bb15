// Which GPU runs the work, or, where WebGPU is missing, why and what would work. People see a message
// written for them, never a stack trace.
import type { AdapterDescription } from '../src/index';

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function showAdapter(element: HTMLElement, adapter: AdapterDescription): void {
  const name = adapter.description || adapter.architecture || adapter.vendor;
  const facts = [`vendor ${adapter.vendor}`, adapter.architecture && `architecture ${adapter.architecture}`].filter(Boolean).map((f) => escape(f as string)).join(' · ');
  element.innerHTML =
    `<span class="dot" aria-hidden="true"></span><span>GPU <strong>${escape(name)}</strong></span>` +
    `<span class="facts" data-vendor="${escape(adapter.vendor)}" data-architecture="${escape(adapter.architecture)}">${facts}</span>` +
    (adapter.software ? '<span class="badge" title="This adapter emulates a GPU on the CPU: training works, slowly.">software</span>' : '');
  element.title = `${adapter.label}${adapter.software ? ': a software adapter, the CPU does the GPU\'s work, so an epoch takes many minutes' : ''}`;
}

const BROWSERS = `
  <ul>
    <li><strong>Chrome or Edge 113+</strong> on Windows, macOS and ChromeOS (Android 121+; on Linux, see below).</li>
    <li><strong>Safari 26+</strong> on macOS, iOS and iPadOS.</li>
    <li><strong>Firefox 141+</strong> on Windows (other systems are following).</li>
  </ul>
  <p>In Chrome or Edge, if your GPU is blocklisted or you are on Linux, enable
  <code>chrome://flags/#enable-unsafe-webgpu</code> (or start the browser with <code>--enable-unsafe-webgpu</code>) and reload.
  Also check that hardware acceleration is on in the browser's settings.</p>`;

const EXPLANATIONS: Record<string, { title: string; body: string }> = {
  NoAdapterError: {
    title: 'WebGPU is not available in this browser',
    body: `<p>This page trains a neural network with WebGPU compute shaders, so it needs a browser that offers WebGPU and a GPU it is allowed to use. These work:</p>${BROWSERS}`,
  },
  DeviceLostError: {
    title: 'The GPU stopped responding',
    body: '<p>The browser took the GPU device away (a driver reset, the tab sent to the background for long, or too little memory). Reload the page to start again; save the model now and then to keep your progress.</p>',
  },
};

/** Replaces the page's tools with an explanation of an error the page cannot recover from. */
export function showFatal(notice: HTMLElement, app: HTMLElement, adapter: HTMLElement, name: string, message: string): void {
  const known = EXPLANATIONS[name] ?? {
    title: 'Training could not start',
    body: `<p>Something went wrong while setting up. Reloading the page often helps; if not, your browser may lack a WebGPU feature this page needs.</p>${BROWSERS}`,
  };
  notice.innerHTML = `<h2>${known.title}</h2>${known.body}<p class="detail">Details: ${escape(message)}</p>`;
  notice.dataset.error = name;
  notice.hidden = false;
  app.classList.add('off');
  app.inert = true;
  adapter.innerHTML = `<span class="dot" style="background:#c2410c" aria-hidden="true"></span>${name === 'DeviceLostError' ? 'GPU lost' : 'No WebGPU'}`;
}
