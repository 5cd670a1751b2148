import { type CallscopeEvent, isDroppable } from './events';

/** The most events in one request, and the most bytes of body (the server's limit is 64 KiB). */
export const maxBatchEvents = 100;
export const maxBatchBytes = 60 * 1024;

const encoder = new TextEncoder();
const sizes = new WeakMap<CallscopeEvent, number>();

/** Bytes of an event's JSON, remembered per event. */
export function eventBytes(event: CallscopeEvent): number {
  let size = sizes.get(event);
  if (size === undefined) {
    size = encoder.encode(JSON.stringify(event)).length;
    sizes.set(event, size);
  }
  return size;
}

/** The ingest body for a batch of events. */
export function batchBody(events: readonly CallscopeEvent[]): string {
  return JSON.stringify({ events });
}

/** Bytes of `{"events":[` + `]}` around the events, which are joined by commas. */
const envelopeBytes = encoder.encode(batchBody([])).length;

/**
 * How many events from the front of `events` make one batch: at most `maxEvents`, and a body of at most `maxBytes`
 * (always at least one event, so an oversized event still leaves and is refused by the server rather than stuck).
 */
export function batchLength(
  events: readonly CallscopeEvent[],
  maxEvents = maxBatchEvents,
  maxBytes = maxBatchBytes,
): number {
  let bytes = envelopeBytes;
  let count = 0;
  for (const event of events) {
    if (count === maxEvents) break;
    const next = bytes + eventBytes(event) + (count > 0 ? 1 : 0);
    if (count > 0 && next > maxBytes) break;
    bytes = next;
    count += 1;
  }
  return count;
}

/** Splits events into consecutive batches within the limits. */
export function toBatches(events: readonly CallscopeEvent[]): CallscopeEvent[][] {
  const batches: CallscopeEvent[][] = [];
  let rest = events.slice();
  while (rest.length > 0) {
    const length = batchLength(rest);
    batches.push(rest.slice(0, length));
    rest = rest.slice(length);
  }
  return batches;
}

export type AddResult = { dropped: CallscopeEvent | null; refused: boolean };

/**
 * The events waiting to be sent, in the order they happened, bounded by `capacity`.
 *
 * When the buffer is full a new event first pushes out the oldest `quality_sample`, then the oldest other droppable
 * event (see `isDroppable`); when nothing in the buffer may be dropped, a new droppable event is itself dropped, and a
 * new never-drop event (an error, presence, the app's own) is kept beyond the bound. Only past twice the capacity,
 * which only a flood of never-drop events while the server is unreachable can reach, is a new event refused.
 */
export class EventBuffer {
  private events: CallscopeEvent[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.events.length;
  }

  add(event: CallscopeEvent): AddResult {
    if (this.events.length < this.capacity) {
      this.events.push(event);
      return { dropped: null, refused: false };
    }
    const victim = this.indexOfOldest((e) => e.type === 'quality_sample') ?? this.indexOfOldest((e) => isDroppable(e.type));
    if (victim !== null) {
      const [dropped] = this.events.splice(victim, 1);
      this.events.push(event);
      return { dropped, refused: false };
    }
    if (isDroppable(event.type)) return { dropped: event, refused: false };
    if (this.events.length >= this.capacity * 2) return { dropped: event, refused: true };
    this.events.push(event);
    return { dropped: null, refused: false };
  }

  /** Removes and returns the next batch from the front. */
  takeBatch(): CallscopeEvent[] {
    return this.events.splice(0, batchLength(this.events));
  }

  /** Removes and returns every event. */
  takeAll(): CallscopeEvent[] {
    return this.events.splice(0, this.events.length);
  }

  peek(): readonly CallscopeEvent[] {
    return this.events;
  }

  private indexOfOldest(match: (event: CallscopeEvent) => boolean): number | null {
    const index = this.events.findIndex(match);
    return index < 0 ? null : index;
  }
}
