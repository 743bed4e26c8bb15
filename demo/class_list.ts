// The classes of the "Your images" page: add, rename and remove them; add pictures to each by file, by
// dropping files or folders, or from the camera; thumbnails and a count per class. Names come from the
// user, so they are only ever shown as text (an input's value, textContent), never parsed as HTML.
import { count } from './digits';
import { decodeFiles, droppedFiles, groupByClass, pictureCanvas, type FolderFile, type Picture } from './pictures';

/** Thumbnails shown per class; the count says how many there are in all. */
const THUMBNAILS = 30;

export interface ImageClass {
  name: string;
  pictures: Picture[];
}

export class ClassList {
  readonly classes: ImageClass[] = [];
  private cameraOn = false;
  private locked = false;
  /** Called with a problem to show (empty: clear), and after every change. */
  onMessage: (text: string) => void = () => {};
  onChange: () => void = () => {};

  constructor(
    private readonly list: HTMLElement,
    private readonly capture: () => Promise<Picture>,
  ) {}

  /** Adds a class; refuses (with a message) an empty or duplicate name. Returns whether it was added. */
  add(name: string, pictures: Picture[] = []): boolean {
    const problem = this.nameProblem(name.trim());
    if (problem) {
      this.onMessage(problem);
      return false;
    }
    this.classes.push({ name: name.trim(), pictures });
    this.render();
    return true;
  }

  /** A class name for a new class: "class 1", "class 2", … the first one free. */
  freeName(): string {
    for (let i = this.classes.length + 1; ; i++) if (!this.classes.some((c) => c.name === `class ${i}`)) return `class ${i}`;
  }

  private nameProblem(name: string, except?: ImageClass): string {
    if (name === '') return 'A class needs a name.';
    if (this.classes.some((c) => c !== except && c.name === name)) return `There is already a class named "${name}": give each class its own name.`;
    return '';
  }

  /** Adds a dropped or picked folder: one class per class folder, merged into a class of the same name. */
  async addFolder(files: FolderFile[]): Promise<void> {
    const { classes, refused, loose } = groupByClass(files);
    const failed = [...refused];
    if (classes.size === 0 && refused.length === 0) {
      return this.onMessage(loose > 0 ? 'Pictures on their own belong to no class: drop them on a class, or drop a folder with one sub-folder per class.' : 'No PNG or JPEG pictures in what was dropped.');
    }
    for (const [name, members] of classes) {
      const decoded = await decodeFiles(members);
      failed.push(...decoded.failed);
      const existing = this.classes.find((c) => c.name === name);
      if (existing) existing.pictures.push(...decoded.pictures);
      else this.classes.push({ name, pictures: decoded.pictures });
      this.render();
    }
    this.reportFailures(failed);
  }

  async addFolderDrop(items: DataTransferItemList): Promise<void> {
    return this.addFolder(await droppedFiles(items));
  }

  set camera(on: boolean) {
    this.cameraOn = on;
    this.render();
  }

  /** While training: no changes to the data being trained on. */
  set disabled(locked: boolean) {
    this.locked = locked;
    this.render();
  }

  private reportFailures(failed: string[]): void {
    this.onMessage(failed.length === 0 ? '' : `Skipped ${failed.length === 1 ? 'a file that cannot be read' : `${failed.length} files that cannot be read`}: ${failed.join(' · ')}`);
  }

  private async addFiles(target: ImageClass, files: Iterable<File>): Promise<void> {
    const { pictures, failed } = await decodeFiles(files);
    target.pictures.push(...pictures);
    this.render();
    this.reportFailures(failed);
  }

  render(): void {
    this.list.replaceChildren(...this.classes.map((c, i) => this.card(c, i)));
    if (this.classes.length === 0) this.list.textContent = 'No classes yet: add one, or drop a folder with one sub-folder per class.';
    this.onChange();
  }

  private card(target: ImageClass, index: number): HTMLElement {
    const card = document.createElement('li');
    card.className = 'class-card';
    card.dataset.index = String(index);
    card.dataset.count = String(target.pictures.length);

    const head = document.createElement('div');
    head.className = 'class-head';
    const name = document.createElement('input');
    name.className = 'class-name';
    name.value = target.name;
    name.disabled = this.locked;
    name.setAttribute('aria-label', `Name of class ${index + 1}`);
    name.addEventListener('change', () => {
      const problem = this.nameProblem(name.value.trim(), target);
      this.onMessage(problem);
      if (!problem) target.name = name.value.trim();
      this.render();
    });
    const size = document.createElement('span');
    size.className = 'class-count muted';
    size.textContent = `${count(target.pictures.length)} picture${target.pictures.length === 1 ? '' : 's'}`;
    head.append(name, size);

    const actions = document.createElement('div');
    actions.className = 'class-actions';
    const files = document.createElement('label');
    files.className = 'link file';
    files.textContent = 'Add pictures';
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = 'image/png,image/jpeg';
    input.className = 'add-files';
    input.disabled = this.locked;
    input.addEventListener('change', () => {
      const chosen = [...(input.files ?? [])];
      input.value = '';
      void this.addFiles(target, chosen);
    });
    files.append(input);
    actions.append(files);
    if (this.cameraOn) {
      actions.append(this.button('Capture', 'capture', async () => {
        target.pictures.push(await this.capture());
        this.render();
      }));
    }
    actions.append(this.button('Remove', 'remove', async () => {
      this.classes.splice(this.classes.indexOf(target), 1);
      this.render();
    }));

    const strip = document.createElement('div');
    strip.className = 'thumbs';
    const shown = target.pictures.slice(-THUMBNAILS);
    strip.append(...shown.map((p) => pictureCanvas(p.image, `${target.name}: ${p.name}`)));
    if (target.pictures.length > shown.length) strip.append(`+${count(target.pictures.length - shown.length)}`);
    if (target.pictures.length === 0) strip.textContent = 'No pictures yet: add files, drop them here, or capture from the camera.';

    // Files dropped on a class join it; a folder dropped on it is read as a folder of classes.
    card.addEventListener('dragover', (event) => {
      if (this.locked) return;
      event.preventDefault();
      event.stopPropagation();
      card.classList.add('over');
    });
    card.addEventListener('dragleave', () => card.classList.remove('over'));
    card.addEventListener('drop', (event) => {
      card.classList.remove('over');
      if (this.locked || !event.dataTransfer) return;
      event.preventDefault();
      event.stopPropagation();
      const items = [...event.dataTransfer.items];
      if (items.some((item) => item.webkitGetAsEntry()?.isDirectory)) void this.addFolderDrop(event.dataTransfer.items);
      else void this.addFiles(target, [...event.dataTransfer.files]);
    });
    card.append(head, actions, strip);
    return card;
  }

  private button(text: string, className: string, action: () => Promise<void>): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `link ${className}`;
    button.textContent = text;
    button.disabled = this.locked;
    button.addEventListener('click', () => action().catch((e: unknown) => this.onMessage(e instanceof Error ? e.message : String(e))));
    return button;
  }
}
