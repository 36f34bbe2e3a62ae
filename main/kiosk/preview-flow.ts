// The admin's preview: faces with the best match, its score and the live liveness score, for
// the admin panels. Nothing is decided or logged, and the door stays shut.
import type { FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import { judgeFrame } from '../recognition/judge-frame.js';
import type { FlowContext } from './flow-context.js';
import { toView, toViews } from './face-view.js';

export class PreviewFlow {
  constructor(private readonly ctx: FlowContext) {}

  async frame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const { engine, deps } = this.ctx;
    // The face that counts, judged as the door judges it (judge-frame.ts); the preview shows
    // the match and liveness scores whatever the gates said, so the admin can tune them.
    const { subject, index } = judgeFrame(faces, image, image, this.ctx.decisions.settings);
    const views = toViews(faces, index);
    if (!subject) return { faces: views, guidance: faces.length === 0 ? 'no_face' : 'come_closer' };
    const analyzed = await engine.analysis.analyze(image, subject);
    faces[index] = analyzed;
    const view = (views[index] = toView(analyzed, true));
    if (engine.recognizerId && analyzed.normedEmbedding) {
      const ranking = this.ctx.decisions.rank(analyzed.normedEmbedding, this.ctx.gallery());
      if (ranking.match) view.label = ranking.match.name;
      if (ranking.best) view.score = ranking.best.score;
    }
    if (deps.settings().liveness.enabled && engine.liveness.available) {
      const verdict = await engine.liveness.checkFace(image, analyzed);
      if (Number.isFinite(verdict.score)) view.liveness = verdict.score;
    }
    return { faces: views, guidance: null };
  }
}
