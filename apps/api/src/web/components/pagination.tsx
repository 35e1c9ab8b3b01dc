import { PageContext } from '../page-context';

/** Previous / next links (keyset pages), in a labelled navigation region. */
export function Pagination({
  ctx,
  previousHref,
  nextHref,
  label,
}: {
  ctx: PageContext;
  previousHref?: string | null;
  nextHref?: string | null;
  /** what is paged (e.g. "Pages of the ledger"), when the page has more than one pagination */
  label?: string;
}) {
  if (!previousHref && !nextHref) return null;
  return (
    <nav className="pagination" aria-label={label ?? ctx.t.pagination}>
      <ul>
        {previousHref ? (
          <li>
            <a rel="prev" href={previousHref}>
              {ctx.t.previousPage}
            </a>
          </li>
        ) : null}
        {nextHref ? (
          <li>
            <a rel="next" href={nextHref}>
              {ctx.t.nextPage}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
