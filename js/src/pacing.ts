/**
 * Client-side pacing of an input's `on_change` events: the `debounce` and `throttle` props
 * (milliseconds).
 *
 * - `debounce=300`: one event once typing has paused for 300 ms, with the last value.
 * - `throttle=200`: the first change goes at once, then at most one event per 200 ms; the last
 *   value is always sent (at the end of the window it fell in).
 * - both: as debounce, but while the user keeps typing a value still goes out every `throttle`
 *   ms.
 *
 * A pending value is sent at once when the field loses focus, on Enter, and when its form is
 * submitted, so it always arrives before `on_blur` or `on_submit`. When the component is
 * removed (its view closed, a `cond` switching it away), a pending value is dropped.
 */

type Timer = ReturnType<typeof setTimeout>;

export class Pacer<T> {
  private pending: { value: T } | null = null;
  private quiet: Timer | null = null; // the debounce timer
  private window: Timer | null = null; // the throttle timer
  private lastSent = -Infinity;

  constructor(
    readonly debounce: number,
    readonly throttle: number,
    private readonly send: (value: T) => void,
  ) {}

  /** True while a value waits to be sent. */
  get hasPending(): boolean {
    return this.pending !== null;
  }

  /** A new value: sent now, or when its time comes. */
  push(value: T): void {
    this.pending = { value };
    if (this.debounce > 0) {
      if (this.quiet !== null) clearTimeout(this.quiet);
      this.quiet = setTimeout(() => this.flush(), this.debounce);
      if (this.throttle > 0 && this.window === null) this.window = setTimeout(() => this.flush(), this.throttle);
      return;
    }
    if (this.throttle <= 0) {
      this.flush();
      return;
    }
    if (this.window !== null) return; // sent when the running window ends
    const wait = this.lastSent + this.throttle - Date.now();
    if (wait <= 0) this.flush();
    else this.window = setTimeout(() => this.flush(), wait);
  }

  /** Sends the pending value now, if there is one. */
  flush(): void {
    this.stopTimers();
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    this.lastSent = Date.now();
    this.send(p.value);
  }

  /** Forgets the pending value (the component is gone). */
  drop(): void {
    this.stopTimers();
    this.pending = null;
  }

  private stopTimers(): void {
    if (this.quiet !== null) clearTimeout(this.quiet);
    if (this.window !== null) clearTimeout(this.window);
    this.quiet = this.window = null;
  }
}

/** The largest delay setTimeout keeps (longer ones fire at once). */
export const MAX_DELAY = 2 ** 31 - 1;

/** A `debounce`/`throttle` prop value, or why it is not one. */
export function delayOf(v: unknown): number | string {
  if (v === null || v === undefined) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > MAX_DELAY) {
    return `takes a number of milliseconds from 0 to ${MAX_DELAY}, not ${JSON.stringify(v)}`;
  }
  return v;
}

const live = new Set<{ el: Element; pacer: Pacer<unknown> }>();

/** Registers a field's pacer for {@link flushWithin}; returns the unregistration. */
export function register(el: Element, pacer: Pacer<any>): () => void {
  const entry = { el, pacer };
  live.add(entry);
  return () => live.delete(entry);
}

/** Sends every pending value of the fields inside `root` (a form being submitted). */
export function flushWithin(root: Element): void {
  for (const { el, pacer } of [...live]) if (root.contains(el)) pacer.flush();
}
