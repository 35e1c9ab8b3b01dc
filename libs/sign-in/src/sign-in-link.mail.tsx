import { renderToStaticMarkup } from 'react-dom/server';
import { SignInLang } from './sign-in.types';

/** The HTML part of a sign-in mail (the plain-text part says the same). JSX: every value escaped. */
export function htmlMail(lang: SignInLang, intro: string, url: string, label: string, outro: string): string {
  return (
    '<!DOCTYPE html>' +
    renderToStaticMarkup(
      <html lang={lang}>
        <head>
          <meta charSet="utf-8" />
          <title>{label}</title>
        </head>
        <body>
          <p>{intro}</p>
          <p>
            <a href={url}>{label}</a>
          </p>
          <p>{outro}</p>
        </body>
      </html>,
    )
  );
}
