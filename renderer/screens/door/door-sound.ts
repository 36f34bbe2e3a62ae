// The door's result as heard: a chime for each result made with Web Audio (no sound files),
// and a short spoken result with the platform's speech synthesis where it has a voice for the
// screen's language (Windows and macOS ship English and Japanese voices; a Linux kiosk often
// has none, and then the chime alone is heard). The admin screen shows which (voiceFor).
import type { DoorResult } from './door-words.js';

interface Note {
  /** Hz. */
  freq: number;
  /** Start, seconds after the chime begins. */
  at: number;
  /** Seconds. */
  dur: number;
}

/**
 * Three chimes told apart without looking: open rises (C6 then E6 then G6, a major arpeggio,
 * the "yes" of door terminals); refused falls a fourth (E5 to B4, two soft notes); ask for help
 * repeats one middle note three times (A5), like a doorbell waiting.
 */
export const CHIMES: Record<DoorResult, readonly Note[]> = {
  open: [
    { freq: 1046.5, at: 0, dur: 0.14 },
    { freq: 1318.5, at: 0.12, dur: 0.14 },
    { freq: 1568.0, at: 0.24, dur: 0.3 },
  ],
  refused: [
    { freq: 659.3, at: 0, dur: 0.2 },
    { freq: 493.9, at: 0.22, dur: 0.32 },
  ],
  help: [
    { freq: 880.0, at: 0, dur: 0.14 },
    { freq: 880.0, at: 0.2, dur: 0.14 },
    { freq: 880.0, at: 0.4, dur: 0.14 },
  ],
};

/** The platform voice for `lang` ('en', 'ja'), preferring a local one; null when none exists. */
export function voiceFor(lang: string): SpeechSynthesisVoice | null {
  const synth = globalThis.speechSynthesis;
  if (!synth) return null;
  const voices = synth.getVoices().filter((v) => v.lang.toLowerCase().split(/[-_]/)[0] === lang);
  return voices.find((v) => v.localService) ?? voices[0] ?? null;
}

export class DoorSound {
  private audio: AudioContext | null = null;

  /** Plays the result's chime at `volume` (0..1); nothing at 0. */
  chime(result: DoorResult, volume: number): void {
    if (!(volume > 0)) return;
    try {
      this.audio ??= new AudioContext();
    } catch {
      return; // No audio output on this PC: the screen still shows the result.
    }
    const audio = this.audio;
    // A kiosk window has had no gesture: Chromium and Electron start the context suspended.
    if (audio.state === 'suspended') void audio.resume();
    const start = audio.currentTime + 0.02;
    for (const note of CHIMES[result]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = note.freq;
      // A soft attack and an exponential fade: a bell, not a beep; no click at either end.
      const t0 = start + note.at;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(Math.max(0.0002, 0.5 * volume), t0 + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.dur);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0);
      osc.stop(t0 + note.dur + 0.02);
    }
  }

  /**
   * Speaks `text` in `lang` when a voice for it exists; false when it does not (the chime alone
   * is heard). A new result cuts off the one still speaking: one attempt, one result.
   */
  say(text: string, lang: string, volume: number): boolean {
    const synth = globalThis.speechSynthesis;
    const voice = voiceFor(lang);
    if (!synth || !voice || !(volume > 0)) return false;
    synth.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.volume = volume;
    synth.speak(utterance);
    return true;
  }

  close(): void {
    void this.audio?.close();
    this.audio = null;
  }
}
