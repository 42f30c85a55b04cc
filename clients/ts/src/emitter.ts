/**
 * Typed listeners: `on(name, listener)` returns the function that removes the listener.
 *
 * @module
 */

export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(info: never) => void>>();

  on<K extends keyof Events>(name: K, listener: (info: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Call each listener of `name`; one that throws does not stop the others, nor the client. */
  emit<K extends keyof Events>(name: K, info: Events[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as (info: Events[K]) => void)(info);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
