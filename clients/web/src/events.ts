/** One ingest event as the server's native batch carries it. */
export interface CallscopeEvent {
  id: string;
  type: string;
  timestamp: string;
  participant: { connection_id: string };
  data: Record<string, unknown>;
}

/** Event types the buffer may drop when it is full: frequent, and each one superseded by the next. */
const droppablePrefixes = ['track_', 'page_', 'network_'];
const droppableTypes = new Set(['quality_sample', 'connection_state_changed', 'ice_connection_state_changed']);

/**
 * Whether a full buffer may drop this event. Everything else (errors, presence, device events, LiveKit events,
 * the app's own events) is never dropped by the buffer.
 */
export function isDroppable(type: string): boolean {
  return droppableTypes.has(type) || droppablePrefixes.some((prefix) => type.startsWith(prefix));
}

const typePattern = /^[a-z0-9_]{1,100}$/;

export function isValidType(type: unknown): type is string {
  return typeof type === 'string' && typePattern.test(type);
}

/** The longest `data` the server accepts, in characters of JSON. */
export const maxDataChars = 8192;

/** The longest string the SDK puts in an event (the server's limit for free text it reads). */
export const maxStringChars = 500;

export function truncate(value: unknown, max = maxStringChars): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  return text.length > max ? text.slice(0, max) : text;
}
