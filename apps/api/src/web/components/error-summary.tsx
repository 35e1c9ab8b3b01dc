import { PageContext } from '../page-context';
import { fieldId } from './field';

export interface FieldError {
  /** the field's name (the link goes to its control) */
  field: string;
  message: string;
}

/**
 * The errors of a form, on top of it, each linked to its field. It takes the focus when the page
 * loads (autofocus), so a screen reader announces it first.
 */
export function ErrorSummary({ ctx, errors }: { ctx: PageContext; errors: readonly FieldError[] }) {
  if (errors.length === 0) return null;
  return (
    <div
      className="error-summary"
      id="error-summary"
      tabIndex={-1}
      autoFocus
      role="alert"
      aria-labelledby="error-summary-title"
    >
      <h2 className="error-summary__title" id="error-summary-title">
        {ctx.t.errorSummaryTitle}
      </h2>
      <ul className="error-summary__list">
        {errors.map((e) => (
          <li key={`${e.field}:${e.message}`}>
            <a href={`#${fieldId(e.field)}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The error of one field, if any (to pass to Field's `error`). */
export function errorOf(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}
