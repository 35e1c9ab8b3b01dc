import { ReactNode } from 'react';
import { CSRF_FIELD } from './csrf.guard';
import { PageContext } from './page-context';

const NAV: { href: string; key: keyof PageContext['t']; match: RegExp }[] = [
  { href: '/', key: 'navHome', match: /^\/$/ },
  { href: '/projects', key: 'navProjects', match: /^\/projects(\/|$)/ },
  { href: '/rounds', key: 'navRounds', match: /^\/(rounds|motions)(\/|$)/ },
  { href: '/ledger', key: 'navLedger', match: /^\/ledger(\/|$)/ },
  { href: '/donner', key: 'navGive', match: /^\/(donner|give)(\/|$)/ },
  { href: '/verifier', key: 'navVerify', match: /^\/(verifier|verify)(\/|$)/ },
  { href: '/open-data', key: 'navOpenData', match: /^\/open-data(\/|$)/ },
];

export interface LayoutProps {
  ctx: PageContext;
  /** the page's h1 and the start of its <title> */
  title: string;
  /** true when the page shows a form with errors: the title says so */
  hasErrors?: boolean;
  /** a line under the h1 */
  lead?: ReactNode;
  children?: ReactNode;
}

/** The one layout: skip link, header with navigation and language switch, main, footer. */
export function Layout({ ctx, title, hasErrors, lead, children }: LayoutProps) {
  const { t, lang } = ctx;
  const other = lang === 'fr' ? 'en' : 'fr';
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${hasErrors ? t.errorTitlePrefix : ''}${title} — ${t.siteName}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="alternate" hrefLang={other} href={ctx.otherLangHref} />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t.skip}
        </a>
        <header className="site-header">
          <div className="site-header__inner">
            <div className="site-header__brand">
              <a className="site-header__name" href="/">
                {t.siteName}
              </a>
              <p className="site-header__tagline">{t.tagline}</p>
            </div>
            <div className="site-header__tools">
              <a
                className="lang-switch"
                href={ctx.otherLangHref}
                hrefLang={other}
                lang={other}
                title={t.otherLangLabel}
              >
                {t.otherLang}
              </a>
              {ctx.user ? (
                <form className="signed-in" method="post" action="/deconnexion">
                  <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
                  <span className="signed-in__name">
                    {t.signedInAs} <strong>{ctx.user.displayName}</strong>
                  </span>
                  <button type="submit" className="button button--secondary button--small">
                    {t.signOut}
                  </button>
                </form>
              ) : (
                <a className="sign-in" href="/connexion">
                  {t.signIn}
                </a>
              )}
            </div>
          </div>
          <nav className="site-nav" aria-label={t.mainNav}>
            <ul>
              {NAV.map((item) => (
                <li key={item.href}>
                  <a href={item.href} aria-current={item.match.test(ctx.path) ? 'page' : undefined}>
                    {t[item.key]}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          <h1>{title}</h1>
          {lead ? <p className="lead">{lead}</p> : null}
          {children}
        </main>
        <footer className="site-footer">
          <ul>
            <li>
              <a href="/accessibilite">{t.accessibility}</a>
            </li>
            <li>
              <a href="/open-data">{t.footerOpenData}</a>
            </li>
            <li>{t.footerSource}</li>
          </ul>
        </footer>
      </body>
    </html>
  );
}
