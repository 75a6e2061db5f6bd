/**
 * A status line on stderr that rewrites itself in place on a terminal, and otherwise prints at most
 * one line per `minIntervalMs` (plus the final one), so logs stay readable.
 *
 * @example
 * ```ts
 * const progress = new ProgressLine(io.err, io.errIsTty);
 * progress.update('boot 3/20');
 * progress.done('boot 20/20');
 * ```
 */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  readonly #minIntervalMs: number;
  #lastPrinted = Number.NEGATIVE_INFINITY;
  #width = 0;

  constructor(write: (text: string) => void, tty: boolean, minIntervalMs = 1000) {
    this.#write = write;
    this.#tty = tty;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Shows `text` as the current state (throttled when not on a terminal). */
  update(text: string): void {
    if (this.#tty) {
      this.#write(`\r${text.padEnd(this.#width)}`);
      this.#width = text.length;
      return;
    }
    const now = performance.now();
    if (now - this.#lastPrinted < this.#minIntervalMs) return;
    this.#lastPrinted = now;
    this.#write(`${text}\n`);
  }

  /** Shows the final state and ends the line. */
  done(text: string): void {
    this.#write(this.#tty ? `\r${text.padEnd(this.#width)}\n` : `${text}\n`);
    this.#width = 0;
    this.#lastPrinted = Number.NEGATIVE_INFINITY;
  }
}
