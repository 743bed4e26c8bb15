// The "Your images" training settings: network, picture size and channels, the run, and augmentation.
import type { AugmentOptions } from '../src/index';
import type { ImageTrainSettings } from './images_protocol';
import { NETWORKS, type NetworkName } from './networks';

export interface ImageSettings {
  train: ImageTrainSettings;
  size: number;
  channels: 'auto' | 1 | 3;
}

const NUMBERS = ['size', 'epochs', 'batchSize', 'learningRate', 'validation', 'crop', 'rotate', 'scale', 'translate'] as const;

export class ImageSettingsForm {
  constructor(private readonly form: HTMLFormElement) {
    for (const [name, { title }] of Object.entries(NETWORKS)) this.field<HTMLSelectElement>('network').add(new Option(title, name));
  }

  private field<T extends HTMLInputElement | HTMLSelectElement = HTMLInputElement>(name: string): T {
    return this.form.elements.namedItem(name) as T;
  }

  /** The settings, or undefined after the browser has shown its message on the first invalid field. */
  read(): ImageSettings | undefined {
    const values: Record<string, number> = {};
    for (const name of NUMBERS) {
      const input = this.field(name);
      const value = Number(input.value);
      const integer = input.step !== 'any';
      input.setCustomValidity(
        input.value.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) ? `Enter ${integer ? 'a whole number' : 'a number'} from ${input.min} to ${input.max}.` : '',
      );
      const v = input.validity;
      if (v.customError || v.rangeOverflow || v.rangeUnderflow || v.badInput) return void input.reportValidity();
      values[name] = value;
    }
    const augment: AugmentOptions = { crop: values.crop, flip: this.field('flip').checked, rotate: values.rotate, scale: values.scale, translate: values.translate };
    const channels = this.field<HTMLSelectElement>('channels').value;
    return {
      size: values.size,
      channels: channels === 'auto' ? 'auto' : (Number(channels) as 1 | 3),
      train: {
        network: this.field<HTMLSelectElement>('network').value as NetworkName,
        epochs: values.epochs, batchSize: values.batchSize, learningRate: values.learningRate, validation: values.validation, augment, seed: 1,
      },
    };
  }

  set disabled(disabled: boolean) {
    for (const element of this.form.elements) (element as HTMLInputElement).disabled = disabled;
  }
}
