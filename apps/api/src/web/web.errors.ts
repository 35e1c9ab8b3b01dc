export enum WebErrorCode {
  /** a form posted without the session's CSRF token, or with another one */
  CsrfRejected = 'web.csrf_rejected',
  /** a page that does not exist */
  NotFound = 'web.not_found',
  /** a page's query parameter that is not valid */
  InvalidQuery = 'web.invalid_query',
  /** a form without its idempotency key (a page from before, or a forged post) */
  InvalidForm = 'web.invalid_form',
}

/** Errors of the web layer itself (forms and pages); domain errors keep their own codes. */
export class WebError extends Error {
  constructor(
    readonly code: WebErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'WebError';
  }
}
