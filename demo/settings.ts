// The training settings: a form whose defaults are the reference recipe, prefilled from the URL
// (?net=reference&epochs=1&batch=50&lr=0.001&images=60000&evalEvery=50&evalImages=2000&testImages=10000)
// so a run can be linked to.
import { isNetworkName, NETWORKS, type NetworkName } from './networks';
import type { TrainSettings } from './protocol';

/** URL parameter → numeric form field. */
const PARAMETERS: Record<string, Exclude<keyof TrainSettings, 'network'>> = {
  epochs: 'epochs',
  batch: 'batchSize',
  lr: 'learningRate',
  images: 'trainImages',
  evalEvery: 'evalEvery',
  evalImages: 'evalImages',
  testImages: 'testImages',
};

export class SettingsForm {
  constructor(private readonly form: HTMLFormElement) {
    const query = new URLSearchParams(location.search);
    const select = this.networkSelect;
    for (const [name, { title }] of Object.entries(NETWORKS)) select.add(new Option(title, name));
    const net = query.get('net');
    if (net !== null && isNetworkName(net)) select.value = net;
    for (const [parameter, field] of Object.entries(PARAMETERS)) {
      const value = query.get(parameter);
      if (value !== null) this.input(field).value = value;
    }
    const details = form.querySelector('details')!;
    if (['evalEvery', 'evalImages', 'testImages'].some((p) => query.has(p))) details.open = true;
    this.input('evalImages').addEventListener('input', () => this.onChange?.());
  }

  onChange: (() => void) | undefined;

  private get networkSelect(): HTMLSelectElement {
    return this.form.elements.namedItem('network') as HTMLSelectElement;
  }

  /** The network chosen in the form. */
  get network(): NetworkName {
    return this.networkSelect.value as NetworkName;
  }

  private input(field: keyof TrainSettings): HTMLInputElement {
    return this.form.elements.namedItem(field) as HTMLInputElement;
  }

  /** The settings, or undefined after showing the browser's own message on the first invalid field. */
  read(): TrainSettings | undefined {
    const fields = Object.values(PARAMETERS);
    for (const field of fields) {
      const input = this.input(field);
      const value = Number(input.value);
      const integer = input.step !== 'any';
      input.setCustomValidity(
        input.value.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))
          ? `Enter ${integer ? 'a whole number' : 'a number'} from ${input.min} to ${input.max}.`
          : '',
      );
      // step="100" on the image counts is for the spinner; any whole number in range is fine.
      const v = input.validity;
      if (v.customError || v.rangeOverflow || v.rangeUnderflow || v.badInput) return void input.reportValidity();
    }
    return { network: this.network, ...Object.fromEntries(fields.map((f) => [f, Number(this.input(f).value)])) } as TrainSettings;
  }

  /** The number of test images each evaluation uses, as typed so far. */
  get evalImages(): number {
    return Number(this.input('evalImages').value) || 0;
  }

  set disabled(disabled: boolean) {
    for (const element of this.form.elements) (element as HTMLInputElement).disabled = disabled;
  }
}
