import { Request, Response } from 'express';
import { ButtonLink } from './components/button';
import { SummaryList } from './components/summary-list';
import { Layout } from './layout';
import { Messages } from './i18n';
import { pageContext, PageContext, WebRequest } from './page-context';
import { renderPage } from './render';
import { WebErrorCode } from './web.errors';

/**
 * Does this request get an HTML page for its error? Yes on a web route, and for a browser (HTML
 * preferred over JSON) on a GET; API clients keep problem+json.
 */
export function wantsHtml(req: Request): boolean {
  if ((req as WebRequest).webRoute) return true;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return req.accepts(['application/json', 'application/problem+json', 'text/html']) === 'text/html';
}

function texts(t: Messages, status: number, code: string): { title: string; text: string } {
  if (code === WebErrorCode.CsrfRejected) return { title: t.errCsrfTitle, text: t.errCsrfText };
  if (status === 401) return { title: t.errUnauthenticatedTitle, text: t.errUnauthenticatedText };
  if (status === 403) return { title: t.errForbiddenTitle, text: t.errForbiddenText };
  if (status === 404) return { title: t.errNotFoundTitle, text: t.errNotFoundText };
  if (status === 409) return { title: t.errConflictTitle, text: t.errConflictText };
  if (status >= 500) return { title: t.errServerTitle, text: t.errServerText };
  return { title: t.errBadRequestTitle, text: t.errBadRequestText };
}

export function ErrorPage({
  ctx,
  status,
  code,
  detail,
  requestId,
}: {
  ctx: PageContext;
  status: number;
  code: string;
  detail?: string;
  requestId?: string;
}) {
  const { title, text } = texts(ctx.t, status, code);
  const facts = [
    ...(detail && status < 500 && status !== 404
      ? [{ term: ctx.t.errDetail, value: <span lang="en">{detail}</span> }]
      : []),
    ...(requestId ? [{ term: ctx.t.errRequestId, value: <code>{requestId}</code> }] : []),
  ];
  return (
    <Layout ctx={ctx} title={title}>
      <p>{text}</p>
      {facts.length ? <SummaryList items={facts} /> : null}
      <p>
        <ButtonLink href="/" variant="secondary">
          {ctx.t.backHome}
        </ButtonLink>
      </p>
    </Layout>
  );
}

/** Answers an error with the page of the design (403, 404, 500…), in the visitor's language. */
export function renderErrorPage(
  req: Request,
  res: Response,
  problem: { status: number; code: string; detail?: string; requestId?: string },
): void {
  const ctx = pageContext(req as WebRequest);
  renderPage(
    res,
    <ErrorPage
      ctx={ctx}
      status={problem.status}
      code={problem.code}
      detail={problem.detail}
      requestId={problem.requestId}
    />,
    problem.status,
  );
}
