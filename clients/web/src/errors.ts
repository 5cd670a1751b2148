/** What went wrong, as handed to the `onError` option. */
export type CallscopeErrorCode =
  | 'invalid_batch'
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'token_failed'
  | 'buffer_full'
  | 'presence_disabled'
  | 'stats_failed';

export class CallscopeError extends Error {
  constructor(
    readonly code: CallscopeErrorCode,
    message: string,
    /** The HTTP status of the answer that caused it, when there was one. */
    readonly status?: number,
    /** The answer's body (the server's problem details), when there was one. */
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'CallscopeError';
  }
}

export type ErrorHandler = (error: CallscopeError) => void;

export function defaultErrorHandler(error: CallscopeError): void {
  if (typeof console !== 'undefined') console.warn(`[callscope] ${error.message}`);
}
