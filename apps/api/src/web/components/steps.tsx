import { fill } from '../i18n';
import { PageContext } from '../page-context';

/** Where the visitor is in a journey: an ordered list, the current step marked (aria-current). */
export function Steps({
  ctx,
  steps,
  current,
}: {
  ctx: PageContext;
  steps: readonly string[];
  current: number;
}) {
  return (
    <nav className="steps" aria-label={ctx.t.steps}>
      <p className="steps__count">{fill(ctx.t.stepOf, { n: current + 1, total: steps.length })}</p>
      <ol>
        {steps.map((label, i) => (
          <li
            key={label}
            className={
              i === current
                ? 'steps__item steps__item--current'
                : i < current
                  ? 'steps__item steps__item--done'
                  : 'steps__item'
            }
            aria-current={i === current ? 'step' : undefined}
          >
            {label}
            {i < current ? <span className="visually-hidden"> ({ctx.t.doneStep})</span> : null}
          </li>
        ))}
      </ol>
    </nav>
  );
}
