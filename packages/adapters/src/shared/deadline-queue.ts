/**
 * What the queue holds: when it is due (`performance.now()` time: monotonic, as a Node timer is, so a
 * step of the system clock neither expires calls early nor holds them late), its links, and what
 * to do when it passes.
 */
export interface QueuedDeadline {
  dueAt: number;
  prev: QueuedDeadline | undefined;
  next: QueuedDeadline | undefined;
  queued: boolean;
  expire(): void;
}

/** A timer as Node (and Bun) make it; where `setTimeout` gives a number, the queue clears instead of unreferencing. */
type Timer = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

/**
 * The call deadlines in flight, in order of expiry, under one timer for the earliest: a Node
 * `setTimeout` per call costs a ~140-byte `Timeout` (and a new timer list, ~400 bytes, when it is
 * the only one) and trips into the timer binding, which over HTTP is paid again in the scavenges of
 * the calls in flight. Deadlines of one timeout arrive in order of expiry, so adding one is an append
 * at the tail. Taking one out does not touch the timer (it fires early and is armed again for the
 * new earliest); when the queue is left empty the timer is unreferenced, not cleared, so that
 * neither an idle process is kept alive by it nor a later call has to make a new one.
 */
export class DeadlineQueue {
  private head: QueuedDeadline | undefined;
  private tail: QueuedDeadline | undefined;
  private timer: Timer | undefined;
  /** When the armed timer fires (`performance.now()` time); infinite when none is armed. */
  private timerAt = Number.POSITIVE_INFINITY;
  /** Whether the armed timer keeps the process alive (it does while a deadline is queued). */
  private referenced = false;
  private readonly fire = () => this.expireDue();

  /** Queues `deadline`, whose `dueAt` is set. */
  add(deadline: QueuedDeadline): void {
    let after = this.tail;
    while (after !== undefined && after.dueAt > deadline.dueAt) after = after.prev;
    deadline.prev = after;
    deadline.next = after === undefined ? this.head : after.next;
    if (deadline.next === undefined) this.tail = deadline;
    else deadline.next.prev = deadline;
    if (after === undefined) this.head = deadline;
    else after.next = deadline;
    deadline.queued = true;
    if (deadline.dueAt < this.timerAt) this.arm(deadline.dueAt);
    else if (!this.referenced) {
      this.timer!.ref!();
      this.referenced = true;
    }
  }

  /** Takes `deadline` out (nothing when it is not queued). */
  remove(deadline: QueuedDeadline): void {
    if (!deadline.queued) return;
    deadline.queued = false;
    if (deadline.prev === undefined) this.head = deadline.next;
    else deadline.prev.next = deadline.next;
    if (deadline.next === undefined) this.tail = deadline.prev;
    else deadline.next.prev = deadline.prev;
    deadline.prev = deadline.next = undefined;
    if (this.head !== undefined || this.timer === undefined || !this.referenced) return;
    if (typeof this.timer.unref === 'function' && typeof this.timer.ref === 'function') {
      this.timer.unref();
      this.referenced = false;
    } else this.disarm();
  }

  private arm(at: number): void {
    this.disarm();
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - performance.now())) as Timer;
    this.referenced = true;
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.referenced = false;
  }

  /** The timer fired: expires every deadline due (each leaves the queue first) and arms for the next. */
  private expireDue(): void {
    // A Node timer fires by the event loop's cached time, which may lag performance.now() by under a
    // millisecond: what the timer was armed for is due, or it would be armed again and fire a loop
    // turn later than an SDK's own timer for the same budget.
    const now = Math.max(performance.now(), this.timerAt);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.referenced = false;
    for (let due = this.head; due !== undefined && due.dueAt <= now; due = this.head) {
      this.remove(due);
      due.expire();
    }
    // (An expiry may have queued a deadline and armed the timer for it: the earliest decides.)
    if (this.head !== undefined && this.head.dueAt < this.timerAt) this.arm(this.head.dueAt);
  }
}
