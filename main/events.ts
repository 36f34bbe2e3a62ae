import type { EventName, Events } from '../preload/contract/events.js';

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Main-to-renderer events. The Electron shell forwards them to the window; tests listen directly. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners) listener(event, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
