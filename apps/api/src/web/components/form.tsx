import { ReactNode } from 'react';
import { CSRF_FIELD } from '../csrf.guard';
import { PageContext } from '../page-context';

export const IDEMPOTENCY_FIELD = '_idempotency';

export interface FormProps {
  ctx: PageContext;
  action: string;
  children: ReactNode;
  /** a random key rendered as a hidden field, for a service that must not act twice on a double submit */
  idempotencyKey?: string;
  /** accessible name, e.g. for a search form */
  label?: string;
  className?: string;
}

/**
 * A POST form: always carries the session's CSRF token (the page must be rendered with
 * `WebSessions.context(req, res, { form: true })`); validated on the server, so `noValidate`.
 */
export function Form({ ctx, action, children, idempotencyKey, label, className }: FormProps) {
  if (!ctx.csrfToken) throw new Error('a form needs a session: build the context with { form: true }');
  return (
    <form className={className ?? 'form'} method="post" action={action} noValidate aria-label={label}>
      <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
      {idempotencyKey ? <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyKey} /> : null}
      {children}
    </form>
  );
}

/** A GET form (filters, search): no token, the choices stay in the address. */
export function SearchForm({
  action,
  label,
  children,
}: {
  action: string;
  label: string;
  children: ReactNode;
}) {
  return (
    <form className="filters" method="get" action={action} role="search" aria-label={label}>
      {children}
    </form>
  );
}
