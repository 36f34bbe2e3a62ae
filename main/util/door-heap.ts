// V8 flags for a door's process, set once before the door loads its people.
//
// V8 lets the young generation grow to three 16 MB semi-spaces by default (Node 22): memory held
// for short-lived objects, on top of what the door keeps. A door's kept memory is mostly typed
// arrays (the packed gallery, the replica's index) and a few objects per person; what it makes per
// frame is small. Measured on a door started on a replica of 100,000 people × 5 templates (no
// models; `tobira bench-suite --only "fleet campus"`'s door-memory step): RSS 425 MB with the
// defaults, 375 MB with 1 MB semi-spaces that do not grow (new space 32 → 4 MB; the rest is fewer
// pages kept by the allocator between scavenges).
import v8 from 'node:v8';

let applied = false;

export function limitYoungGeneration(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString('--max-semi-space-size=1');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
