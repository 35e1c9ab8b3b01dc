import { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Response } from 'express';

/** Renders a page (JSX, escaped by React) as a complete HTML document. */
export function renderHtml(page: ReactElement): string {
  return `<!doctype html>${renderToStaticMarkup(page)}`;
}

/** Sends a page: status (200 unless said), HTML, its language, never cached by shared caches. */
export function renderPage(res: Response, page: ReactElement, status = 200): void {
  const lang = (page.props as { ctx?: { lang?: string } }).ctx?.lang;
  if (lang) res.setHeader('Content-Language', lang);
  if (!res.getHeader('Cache-Control')) res.setHeader('Cache-Control', 'private, no-cache');
  res.status(status).type('html').send(renderHtml(page));
}
