// <camera-view>: opens the camera, draws it with the face overlay on a canvas
// at devicePixelRatio scale, and hands frames to its owner as RGBA pixels.
// The camera and the loops follow the element's life: they start when it is
// connected and stop (tracks included) when it is removed.
import { LitElement, html } from 'lit';
import type { FaceView, FrameMessage } from '../../../preload/contract/frames.js';
import { drawFaces, placeFrame, type Fit, type Placement } from '../overlay.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import { cameraViewStyles } from './camera-view.styles.js';

export type CameraState = 'starting' | 'live' | 'denied' | 'missing' | 'unplugged' | 'error';

export interface CameraStateDetail {
  state: CameraState;
  message: string | null;
}

declare global {
  interface HTMLElementTagNameMap {
    'camera-view': CameraView;
  }
  interface GlobalEventHandlersEventMap {
    'camera-state': CustomEvent<CameraStateDetail>;
    'camera-frame': CustomEvent<FrameMessage>;
  }
}

/** Retry a lost or missing camera this often. */
const RETRY_MS = 2000;
/** Frames wider than this are scaled down before they cross to main. */
const MAX_FRAME_WIDTH = 1280;

export class CameraView extends LitElement {
  static override styles = cameraViewStyles;
  static override properties = {
    deviceId: { type: String, attribute: 'device-id' },
    idealWidth: { type: Number, attribute: 'ideal-width' },
    idealHeight: { type: Number, attribute: 'ideal-height' },
    frameIntervalMs: { type: Number, attribute: 'frame-interval' },
    mirrored: { type: Boolean },
    fit: { type: String },
    showScores: { type: Boolean, attribute: 'show-scores' },
    showNames: { type: Boolean, attribute: 'show-names' },
    showMessage: { type: Boolean, attribute: 'show-message' },
    state: { state: true },
    errorMessage: { state: true },
  };

  declare deviceId: string | null;
  declare idealWidth: number;
  declare idealHeight: number;
  /** 0 stops sending frames; the overlay still draws. */
  declare frameIntervalMs: number;
  declare mirrored: boolean;
  /** 'contain' shows the whole frame; 'cover' fills the element (a portrait door screen). */
  declare fit: Fit;
  /** Similarity beside each name: admin previews; the door screen turns it off. */
  declare showScores: boolean;
  /** Names on the boxes; the door screen hides them while it shows a refusal. */
  declare showNames: boolean;
  /** The camera's own message over the picture; the door screen says it in its large line instead. */
  declare showMessage: boolean;
  declare state: CameraState;
  declare errorMessage: string | null;

  /** Frames drawn since connection: tests read this to check the overlay's rate. */
  drawnFrames = 0;
  /** The names the last draw put on the boxes, for tests. */
  drawnNames: string[] = [];
  /** How frame pixels mapped onto the canvas (device pixels) at the last draw, for tests. */
  lastPlacement: Placement | null = null;
  private faces: readonly FaceView[] = [];
  private facesFrameId = -1;
  private nextFrameId = 1;
  private lastSentAt = 0;
  private sentWidth = 0;
  private stream: MediaStream | null = null;
  private rafId = 0;
  private retryTimer = 0;
  private grabber: OffscreenCanvasRenderingContext2D | null = null;
  private readonly video = document.createElement('video');
  private readonly onDeviceChange = () => {
    if (this.state !== 'live') void this.start();
  };

  constructor() {
    super();
    new LocaleController(this);
    this.deviceId = null;
    this.idealWidth = 1280;
    this.idealHeight = 720;
    this.frameIntervalMs = 100;
    this.mirrored = true;
    this.fit = 'contain';
    this.showScores = true;
    this.showNames = true;
    this.showMessage = true;
    this.state = 'starting';
    this.errorMessage = null;
    this.video.muted = true;
    this.video.playsInline = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    void this.start();
    this.rafId = requestAnimationFrame(this.tick);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    cancelAnimationFrame(this.rafId);
    clearTimeout(this.retryTimer);
    this.stopTracks();
  }

  override updated(changed: Map<string, unknown>): void {
    // A different camera or resolution reopens the stream (the first values open it in connectedCallback).
    const reopen = ['deviceId', 'idealWidth', 'idealHeight'].some(
      (key) => changed.has(key) && changed.get(key) !== undefined,
    );
    if (reopen) void this.start();
  }

  /**
   * Faces to draw for frame `id`; results older than the last shown are dropped. `frameWidth`:
   * the width of the frame the faces were found in, when this view did not send it (the door
   * screen draws the capture context's results over its own picture of the same camera).
   */
  showFaces(id: number, faces: readonly FaceView[], frameWidth?: number): boolean {
    if (id < this.facesFrameId) return false;
    this.facesFrameId = id;
    this.faces = faces;
    if (frameWidth !== undefined) this.sentWidth = frameWidth;
    return true;
  }

  /** The open stream's tracks, for tests and diagnostics. */
  get tracks(): MediaStreamTrack[] {
    return this.stream?.getTracks() ?? [];
  }

  private async start(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.stopTracks();
    this.setState('starting', null);
    if (!navigator.mediaDevices?.getUserMedia) {
      this.setState('error', 'getUserMedia is not available');
      return;
    }
    try {
      const video: MediaTrackConstraints = {
        width: { ideal: this.idealWidth },
        height: { ideal: this.idealHeight },
        ...(this.deviceId ? { deviceId: { exact: this.deviceId } } : {}),
      };
      const stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
      if (!this.isConnected) {
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      this.stream = stream;
      for (const track of stream.getTracks()) {
        track.addEventListener('ended', () => this.lost('unplugged'));
      }
      this.video.srcObject = stream;
      await this.video.play();
      this.setState('live', null);
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      if (name === 'NotAllowedError' || name === 'SecurityError') this.lost('denied');
      else if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
        this.lost('missing');
      } else this.lost('error', error instanceof Error ? error.message : String(error));
    }
  }

  private lost(state: CameraState, message: string | null = null): void {
    this.stopTracks();
    this.setState(state, message);
    clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => void this.start(), RETRY_MS);
  }

  private stopTracks(): void {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  private setState(state: CameraState, message: string | null): void {
    if (this.state === state && this.errorMessage === message) return;
    this.state = state;
    this.errorMessage = message;
    this.dispatchEvent(
      new CustomEvent('camera-state', { detail: { state, message }, bubbles: true, composed: true }),
    );
  }

  private readonly tick = (now: number) => {
    this.rafId = requestAnimationFrame(this.tick);
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas || this.state !== 'live' || this.video.readyState < 2) return;
    this.draw(canvas);
    if (this.frameIntervalMs > 0 && now - this.lastSentAt >= this.frameIntervalMs) {
      this.lastSentAt = now;
      this.grab();
    }
  };

  private draw(canvas: HTMLCanvasElement): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr);
    const h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    const ctx = canvas.getContext('2d');
    if (!ctx || w === 0 || h === 0) return;
    const { videoWidth: vw, videoHeight: vh } = this.video;
    const at = placeFrame(this.fit, vw, vh, w, h);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, w, h);
    ctx.save();
    if (this.mirrored) {
      // Mirror like a looking glass: people expect to move left and see themselves move left.
      ctx.translate(w, 0);
      ctx.scale(-1, 1);
    }
    ctx.drawImage(this.video, at.offsetX, at.offsetY, vw * at.scale, vh * at.scale);
    ctx.restore();
    // Faces are in frame pixels of the unmirrored, possibly downscaled frame sent to main.
    const frameScale = this.sentWidth > 0 ? vw / this.sentWidth : 1;
    this.lastPlacement = {
      ...at,
      scale: at.scale * frameScale,
      ...(this.mirrored ? { mirrorWidth: w } : {}),
    };
    this.drawnNames = drawFaces(ctx, this.faces, this.lastPlacement, dpr, {
      showScores: this.showScores,
      showNames: this.showNames,
    });
    this.drawnFrames += 1;
  }

  private grab(): void {
    const { videoWidth: vw, videoHeight: vh } = this.video;
    if (vw === 0 || vh === 0) return;
    const scale = Math.min(1, MAX_FRAME_WIDTH / vw);
    const width = Math.round(vw * scale);
    const height = Math.round(vh * scale);
    if (!this.grabber || this.grabber.canvas.width !== width || this.grabber.canvas.height !== height) {
      this.grabber = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    }
    if (!this.grabber) return;
    this.grabber.drawImage(this.video, 0, 0, width, height);
    const pixels = this.grabber.getImageData(0, 0, width, height);
    this.sentWidth = width;
    const frame: FrameMessage = { id: this.nextFrameId++, width, height, data: pixels.data.buffer };
    this.dispatchEvent(new CustomEvent('camera-frame', { detail: frame }));
  }

  override render() {
    const message =
      this.state === 'live'
        ? null
        : this.state === 'error'
          ? t('camera.error', { message: this.errorMessage ?? '' })
          : t(`camera.${this.state}`);
    return html`
      <canvas part="canvas" aria-label="camera"></canvas>
      ${message && this.showMessage ? html`<div class="message" role="status" data-state=${this.state}>${message}</div>` : null}
    `;
  }
}

customElements.define('camera-view', CameraView);
