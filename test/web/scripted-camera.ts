// A camera the test drives, for the capture page of the browser harness only (never product
// code). Chromium's --use-file-for-fake-video-capture plays one file from start to end and
// cannot change what it shows when the screen asks for something, so a test that reacts to a
// random prompt needs a camera it can steer. This one stands in for getUserMedia only: the
// capture page's own code (renderer/capture/capture.ts) opens it, draws its frames and sends
// them to main as it does with a real camera, so every frame still takes the product's path.
//
// It shows the frames the harness serves (harness.ts, option `camera`): `rest`, one still of the
// person looking at the screen, until the test plays a named segment (a head turn cut from real
// footage); each segment plays once at its own frame rate, then the camera shows `rest` again,
// for at least restMs before the next segment starts (a head back at the centre between turns).
// Every frame gets fresh sensor noise, as a live camera's does (liveness/frozen.ts tells a
// repeated frame from a live one); the footage itself is played as it was filmed.

interface Manifest {
  fps: number;
  /** The least time `rest` shows between two segments, in ms: the head back at the centre. */
  restMs: number;
  segments: Record<string, number>;
}

interface Playing {
  name: string;
  frames: ImageBitmap[];
  startedAt: number;
  done: () => void;
}

declare global {
  // Chromium's insertable streams (not in TypeScript's DOM types yet).
  class MediaStreamTrackGenerator extends MediaStreamTrack {
    constructor(init: { kind: 'video' });
    readonly writable: WritableStream<VideoFrame>;
  }
}

/** Grey levels of noise, ±: a σ of about 1.4, near the y4m clips' ffmpeg noise=alls=2. */
const NOISE = 2;

async function bitmap(url: string): Promise<ImageBitmap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`scripted camera: ${url}: ${response.status}`);
  return createImageBitmap(await response.blob());
}

async function load(): Promise<{ fps: number; restMs: number; segments: Map<string, ImageBitmap[]> }> {
  const manifest = (await (await fetch('/__camera/manifest.json')).json()) as Manifest;
  const segments = new Map<string, ImageBitmap[]>();
  for (const [name, count] of Object.entries(manifest.segments)) {
    const frames: ImageBitmap[] = [];
    for (let i = 0; i < count; i++) frames.push(await bitmap(`/__camera/${name}/${i}`));
    segments.set(name, frames);
  }
  if (segments.get('rest')?.length !== 1) throw new Error('scripted camera: needs one `rest` frame');
  return { fps: manifest.fps, restMs: manifest.restMs, segments };
}

const loaded = load();
let playing: Playing | null = null;
let queue: Promise<void> = Promise.resolve();
/** When the rest last came back on screen (a segment ended); null while a segment plays. */
let restedAt: number | null = 0;

function startCamera(fps: number, segments: Map<string, ImageBitmap[]>): MediaStreamTrack {
  const rest = segments.get('rest')![0]!;
  const canvas = new OffscreenCanvas(rest.width, rest.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const noise = new Int8Array(1 << 22).map(() => Math.round((Math.random() * 2 - 1) * NOISE));
  const started = performance.now();
  const tick = () => {
    const now = performance.now();
    let source = rest;
    if (playing) {
      const index = Math.floor(((now - playing.startedAt) * fps) / 1000);
      if (index < playing.frames.length) source = playing.frames[index]!;
      else {
        playing.done();
        playing = null;
        restedAt = now;
      }
    }
    ctx.drawImage(source, 0, 0);
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const data = image.data;
    let at = Math.floor(Math.random() * (noise.length - data.length / 4));
    for (let i = 0; i < data.length; i += 4) {
      const n = noise[at++]!;
      data[i] = data[i]! + n;
      data[i + 1] = data[i + 1]! + n;
      data[i + 2] = data[i + 2]! + n;
    }
    ctx.putImageData(image, 0, 0);
    const frame = new VideoFrame(canvas, { timestamp: Math.round((now - started) * 1000) });
    void writer.write(frame).finally(() => frame.close());
  };
  setInterval(tick, 1000 / fps);
  return generator;
}

let track: Promise<MediaStreamTrack> | null = null;
navigator.mediaDevices.getUserMedia = async () => {
  track ??= loaded.then(({ fps, segments }) => startCamera(fps, segments));
  return new MediaStream([(await track).clone()]);
};

window.scriptedCamera = {
  play(name) {
    const next = queue.then(async () => {
      const { segments, restMs } = await loaded;
      const frames = segments.get(name);
      if (!frames) throw new Error(`scripted camera: no segment '${name}'`);
      // A turn starts from the rest: after another segment, the rest shows for restMs first.
      if (restedAt === null) restedAt = performance.now();
      const rested = performance.now() - restedAt;
      if (rested < restMs) await new Promise((wait) => setTimeout(wait, restMs - rested));
      restedAt = null;
      await new Promise<void>((done) => (playing = { name, frames, startedAt: performance.now(), done }));
    });
    queue = next.catch(() => undefined);
    return next;
  },
  get playing() {
    return playing?.name ?? null;
  },
};

export {};
