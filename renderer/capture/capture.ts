// The capture page: a hidden window's whole program. It opens the camera main names and sends
// RGBA frames to main at the configured rate. It runs no UI code and loads nothing else, so
// nothing the UI renderer does (or an XSS there) can change what the door decides on.
import { CAPTURE_INTERVAL_MS, type CaptureApi, type CaptureConfig } from '../../preload/contract/capture.js';

declare global {
  interface Window {
    tobiraCapture: CaptureApi;
  }
}

/** Retry a lost or missing camera this often. */
const RETRY_MS = 2000;
/** Frames wider than this are scaled down before they cross to main (the UI's limit too). */
const MAX_FRAME_WIDTH = 1280;

const video = document.createElement('video');
video.muted = true;
video.playsInline = true;
let stream: MediaStream | null = null;
let config: CaptureConfig | null = null;
let timer = 0;
let grabber: OffscreenCanvasRenderingContext2D | null = null;
// Ids go on rising across a reload of this page, so the UI never drops new results as old.
let nextId = Date.now();

function stop(): void {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  video.srcObject = null;
}

async function open(): Promise<void> {
  clearTimeout(timer);
  stop();
  if (!config) return;
  try {
    const constraints: MediaTrackConstraints = {
      width: { ideal: config.width },
      height: { ideal: config.height },
      ...(config.deviceId ? { deviceId: { exact: config.deviceId } } : {}),
    };
    stream = await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
    for (const track of stream.getTracks()) track.addEventListener('ended', () => retry());
    video.srcObject = stream;
    await video.play();
    schedule();
  } catch {
    retry();
  }
}

function retry(): void {
  stop();
  clearTimeout(timer);
  timer = window.setTimeout(() => void open(), RETRY_MS);
}

function schedule(): void {
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    grab();
    if (stream) schedule();
  }, config?.intervalMs ?? CAPTURE_INTERVAL_MS);
}

function grab(): void {
  const { videoWidth: vw, videoHeight: vh } = video;
  if (vw === 0 || vh === 0 || video.readyState < 2) return;
  const scale = Math.min(1, MAX_FRAME_WIDTH / vw);
  const width = Math.round(vw * scale);
  const height = Math.round(vh * scale);
  if (!grabber || grabber.canvas.width !== width || grabber.canvas.height !== height) {
    grabber = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  }
  if (!grabber) return;
  grabber.drawImage(video, 0, 0, width, height);
  const pixels = grabber.getImageData(0, 0, width, height);
  window.tobiraCapture.sendFrame({ id: nextId++, width, height, data: pixels.data.buffer });
}

window.tobiraCapture.onConfig((next) => {
  const reopen =
    !config ||
    config.deviceId !== next.deviceId ||
    config.width !== next.width ||
    config.height !== next.height;
  config = next;
  if (reopen) void open();
});
