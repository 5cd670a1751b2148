import type { Emit } from './media';

export interface PageHooks {
  /** The page is going away or out of sight: send what is buffered now, by beacon. */
  onLeave(reason: 'pagehide' | 'hidden'): void;
  /** The page came back from the back/forward cache. */
  onReturn(): void;
}

/**
 * Reports `network_online`/`network_offline` and `page_hidden`/`page_visible`, and calls the hooks on `pagehide`,
 * on hiding and on return from the back/forward cache. Returns the function that removes the listeners.
 */
export function watchPage(emit: Emit, hooks: PageHooks): () => void {
  const win = typeof window === 'undefined' ? undefined : window;
  const doc = typeof document === 'undefined' ? undefined : document;
  const undo: Array<() => void> = [];
  const listen = (target: EventTarget | undefined, type: string, handler: (event: Event) => void): void => {
    if (!target || typeof target.addEventListener !== 'function') return;
    target.addEventListener(type, handler);
    undo.push(() => target.removeEventListener(type, handler));
  };

  listen(win, 'online', () => emit('network_online'));
  listen(win, 'offline', () => emit('network_offline'));
  listen(doc, 'visibilitychange', () => {
    if (doc?.visibilityState === 'hidden') {
      emit('page_hidden');
      hooks.onLeave('hidden');
    } else {
      emit('page_visible');
    }
  });
  listen(win, 'pagehide', () => hooks.onLeave('pagehide'));
  listen(win, 'pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) hooks.onReturn();
  });
  return () => undo.forEach((remove) => remove());
}
