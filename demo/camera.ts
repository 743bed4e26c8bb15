// The camera, where the browser has one: a live preview, and a frame at a time as a Picture (the video
// drawn at most MAX_SIDE pixels on a side, then read back with imageFromSource like any other picture).
import { decodePicture, MAX_SIDE, type Picture } from './pictures';

export class Camera {
  private stream: MediaStream | undefined;
  private frames = 0;

  constructor(private readonly video: HTMLVideoElement) {}

  /** Whether this browser can offer a camera at all (a secure page with navigator.mediaDevices). */
  static get available(): boolean {
    return typeof navigator.mediaDevices?.getUserMedia === 'function';
  }

  get on(): boolean {
    return this.stream !== undefined;
  }

  async start(): Promise<void> {
    if (this.stream) return;
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 320 }, height: { ideal: 240 } }, audio: false });
    this.video.srcObject = this.stream;
    await this.video.play();
  }

  stop(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.video.srcObject = null;
  }

  /** The current frame as a picture named "camera N". */
  async capture(): Promise<Picture> {
    const { videoWidth, videoHeight } = this.video;
    if (!this.stream || videoWidth === 0) throw new Error('The camera is not on: press "Start camera" first.');
    const scale = Math.min(1, MAX_SIDE / Math.max(videoWidth, videoHeight));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(videoWidth * scale));
    canvas.height = Math.max(1, Math.round(videoHeight * scale));
    canvas.getContext('2d')!.drawImage(this.video, 0, 0, canvas.width, canvas.height);
    return decodePicture(canvas, `camera ${++this.frames}`);
  }
}
