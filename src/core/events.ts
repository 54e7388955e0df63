/** A typed EventTarget: `addEventListener('change', (e) => e.detail)` with the detail's type checked. */

/**
 * Event name to detail type, written as an interface with no index signature: `on('chnage', …)` then fails
 * to compile (test/types/events.ts proves it).
 */
export type EventMap<M> = { [K in keyof M]: unknown };

/** EventTarget whose events carry typed `CustomEvent` details. */
export class TypedEventTarget<M extends EventMap<M>> extends EventTarget {
  /** Dispatches `type` with `detail`. */
  emit<K extends keyof M & string>(type: K, detail: M[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof M & string>(type: K, listener: (detail: M[K]) => void): () => void {
    const fn = (e: Event): void => listener((e as CustomEvent<M[K]>).detail);
    this.addEventListener(type, fn);
    return () => this.removeEventListener(type, fn);
  }
}
