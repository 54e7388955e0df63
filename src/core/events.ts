/** A typed EventTarget: `addEventListener('change', (e) => e.detail)` with the detail's type checked. */

/** Event name to detail type. */
export type EventMap = Record<string, unknown>;

/** EventTarget whose events carry typed `CustomEvent` details. */
export class TypedEventTarget<M extends EventMap> extends EventTarget {
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
