// Enroll by camera: main samples the live frames for one person until the
// target is reached. The view draws the faces main found, says why a sample
// was refused (quality guidance, or too like an earlier one) and asks for a
// little head-turn variety as samples come in.
import { FrameLink } from '../../components/frame-link.js';
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { CameraView } from '../../components/camera-view/camera-view.js';
import type { EnrollStatus, PersonView } from '../../../preload/contract/people.js';
import { isGuidance, type FrameResult } from '../../../preload/contract/frames.js';
import { errorMessage, panelStyles } from './admin-shared.js';
import { confirmWithPin } from '../../components/pin-pad/ask-pin.js';
import '../../components/camera-view/camera-view.js';

declare global {
  interface HTMLElementTagNameMap {
    'admin-enroll': AdminEnroll;
  }
  interface GlobalEventHandlersEventMap {
    'enroll-close': CustomEvent<void>;
  }
}

export const ENROLL_TARGET = 5;
/** Until main sends its own hint: one pose per sample, for a little head-turn variety. */
const POSES = ['straight', 'left', 'right', 'left', 'right'] as const;
/** Main's enrollment hints, as pose prompts. */
const HINT_POSES: Record<string, (typeof POSES)[number]> = {
  look_straight: 'straight',
  turn_left: 'left',
  turn_right: 'right',
};

const lookalikeWords = (l: { name: string; score: number }) => ({ name: l.name, score: l.score.toFixed(2) });

/** A refusal code from main, in words. */
export function refusalText(code: string): string {
  if (code === 'near_duplicate' || code === 'duplicate') return t('enroll.duplicate');
  if (code === 'different_person') return t('enroll.differentPerson');
  if (isGuidance(code)) return t(`guidance.${code}`);
  return code;
}

export class AdminEnroll extends LitElement {
  static override properties = {
    person: { attribute: false },
    status: { state: true },
    frame: { state: true },
    error: { state: true },
  };
  declare person: PersonView | null;
  declare status: EnrollStatus | null;
  declare frame: FrameResult | null;
  declare error: string | null;

  private unsubscribe: (() => void)[] = [];
  private readonly frames = new FrameLink(this, 'ui', (result) => this.onFrame(result));

  constructor() {
    super();
    new LocaleController(this);
    this.person = null;
    this.status = null;
    this.frame = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = [
      api().on('enrollStatus', (status) => {
        if (status.personId === this.person?.id) this.status = status;
      }),
    ];
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe.forEach((off) => off());
    // Leaving mid-way must not leave main sampling frames for this person.
    if (this.status && !this.status.done) void api().stopEnrollment(undefined);
  }

  /** `allowLookalike`: again, saving the samples the duplicate check flags (the admin's decision). */
  private async start(allowLookalike = false): Promise<void> {
    const person = this.person;
    if (!person) return;
    try {
      this.error = null;
      // A status event of this run may arrive before the call's answer (a frame taken, or the
      // duplicate check's flag): the answer, older, must not replace it.
      this.status = null;
      // A face enrolled is a face let in: main starts only with the admin PIN typed again.
      const started = await confirmWithPin(t('admin.pinAgain.enroll', { name: person.name }), (pin) =>
        api().startEnrollment(
          allowLookalike
            ? { id: person.id, target: ENROLL_TARGET, allowLookalike, pin }
            : { id: person.id, target: ENROLL_TARGET, pin },
        ),
      );
      // The PIN pad cancelled: nothing started, back to where the admin came from.
      if (!started.ok && started.code === 'PIN_REQUIRED') return void this.finish(false);
      const status = await call(Promise.resolve(started));
      this.status ??= status;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  private onFrame(result: FrameResult): void {
    this.renderRoot.querySelector<CameraView>('camera-view')?.showFaces(result.id, result.faces);
    this.frame = result;
  }

  private async finish(cancel: boolean): Promise<void> {
    if (cancel && this.status && !this.status.done) {
      try {
        this.status = await call(api().stopEnrollment(undefined));
      } catch (error) {
        this.error = errorMessage(error);
        return;
      }
    }
    this.dispatchEvent(new CustomEvent('enroll-close', { bubbles: true, composed: true }));
  }

  /**
   * Main judges each frame once (recognition/judge-frame.ts) and a frame the enrollment gate
   * refused carries why: its guidance, or the status's refusal. Only a frame with neither, and
   * with the face that counts, is good.
   */
  private feedback(): { text: string; tone: 'ok' | 'warn' | 'info' } {
    const frame = this.frame;
    if (frame?.guidance) return { text: t(`guidance.${frame.guidance}` as MessageKey), tone: 'warn' };
    const refusal = this.status?.lastRefusal;
    // A refusal that only repeats the pose asked for is already the prompt.
    if (refusal && refusal !== this.status?.hint) return { text: refusalText(refusal), tone: 'warn' };
    if (frame?.faces.some((f) => f.counts)) return { text: t('enroll.good'), tone: 'ok' };
    return { text: t('enroll.waiting'), tone: 'info' };
  }

  /** What to ask of the person now: main's hint, else the next pose in turn. */
  private prompt(accepted: number): { pose: string; text: string } {
    const hint = this.status?.hint ?? null;
    const pose = hint === null ? POSES[Math.min(accepted, POSES.length - 1)]! : HINT_POSES[hint];
    if (pose) return { pose, text: t(`enroll.pose.${pose}` as MessageKey) };
    return { pose: hint ?? '', text: refusalText(hint ?? '') };
  }

  override render() {
    const status = this.status;
    const target = status?.target ?? ENROLL_TARGET;
    const accepted = status?.accepted ?? 0;
    const done = status?.done ?? false;
    const prompt = this.prompt(accepted);
    const flagged = status?.lookalike && !status.lookalike.kept ? status.lookalike : null;
    const feedback = this.feedback();
    return html`
      <div class="head row">
        <h2>${t('enroll.title', { name: this.person?.name ?? '' })}</h2>
        <span class="spacer"></span>
        ${
          done
            ? html`<button class="primary" @click=${() => this.finish(false)}>
                ${t('enroll.backToPeople')}
              </button>`
            : html`<button @click=${() => this.finish(true)}>${t('admin.cancel')}</button>`
        }
      </div>
      <div class="layout">
        <camera-view .frameIntervalMs=${done ? 0 : 120} @camera-frame=${this.frames.send}></camera-view>
        <aside data-refusal=${status?.lastRefusal ?? ''}>
          ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
          ${
            flagged
              ? html`<p class="notice warn lookalike" role="alert" data-state="lookalike">
                    ${t('enroll.lookalike', lookalikeWords(flagged))}
                  </p>
                  <button class="primary" name="allowLookalike" @click=${() => this.start(true)}>
                    ${t('enroll.lookalikeKeep')}
                  </button>`
              : done
                ? html`<p class="notice ok prompt" data-state="done">
                    ${t('enroll.done', { count: accepted })}
                  </p>`
                : html`<p class="prompt" data-pose=${prompt.pose}>${prompt.text}</p>`
          }
          ${
            status?.lookalike?.kept
              ? html`<p class="muted" data-state="lookalike-kept">
                  ${t('enroll.lookalikeKept', lookalikeWords(status.lookalike))}
                </p>`
              : nothing
          }
          <div class="progress">
            <progress max=${target} .value=${accepted}></progress>
            <span class="count" data-accepted=${accepted}
              >${t('enroll.progress', { n: accepted, target })}</span
            >
          </div>
          <ol class="samples" aria-label=${t('enroll.progress', { n: accepted, target })}>
            ${Array.from(
              { length: target },
              (_, i) =>
                html`<li class=${i < accepted ? 'taken' : i === accepted && !done ? 'current' : ''}></li>`,
            )}
          </ol>
          ${
            done
              ? nothing
              : html`<p class="feedback" data-tone=${feedback.tone} role="status" aria-live="polite">
                  ${feedback.text}
                </p>`
          }
          <p class="muted hint">${t('enroll.hint')}</p>
        </aside>
      </div>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      .head h2 {
        margin: 0;
      }
      .spacer {
        flex: 1;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1.6fr) minmax(16rem, 1fr);
        gap: 1.2rem;
        margin-top: 1rem;
        align-items: start;
      }
      camera-view {
        aspect-ratio: 4 / 3;
        max-height: calc(100vh - 12rem);
        border-radius: 0.6rem;
      }
      .prompt {
        font-size: 1.5rem;
        font-weight: 600;
        margin: 0 0 0.8rem;
      }
      .notice.warn {
        background: #4a3206;
        border-color: #a8741a;
      }
      .lookalike {
        font-size: 1.2rem;
        line-height: 1.45;
      }
      .lookalike + button {
        margin-bottom: 1rem;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 0.8rem;
      }
      progress {
        flex: 1;
        height: 1rem;
        accent-color: #3ddc84;
      }
      .count {
        font-size: 1.1rem;
        font-variant-numeric: tabular-nums;
      }
      .samples {
        display: flex;
        gap: 0.5rem;
        list-style: none;
        padding: 0;
        margin: 0.8rem 0;
      }
      .samples li {
        width: 1.4rem;
        height: 1.4rem;
        border-radius: 50%;
        border: 2px solid #3a4775;
      }
      .samples li.taken {
        background: #3ddc84;
        border-color: #3ddc84;
      }
      .samples li.current {
        border-color: #fff;
      }
      .feedback {
        padding: 0.6rem 0.8rem;
        border-radius: 0.5rem;
        background: #1b2444;
        font-size: 1.05rem;
      }
      .feedback[data-tone='ok'] {
        background: #123524;
      }
      .feedback[data-tone='warn'] {
        background: #4a3206;
      }
      .hint {
        font-size: 0.9rem;
      }
      @media (max-width: 900px) {
        .layout {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];
}

customElements.define('admin-enroll', AdminEnroll);
