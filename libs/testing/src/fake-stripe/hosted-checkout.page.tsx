import { renderToStaticMarkup } from 'react-dom/server';

/** What the fake's hosted checkout page shows: an open session, or a message. */
export type HostedCheckoutView =
  | {
      readonly kind: 'open';
      readonly sessionId: string;
      readonly amount: string;
      readonly every: string | null;
    }
  | { readonly kind: 'message'; readonly title: string; readonly message: string };

/** The fake Stripe's hosted checkout page: plain, accessible HTML forms, no script, no style. */
export function renderHostedCheckout(view: HostedCheckoutView): string {
  const title = view.kind === 'open' ? 'Pay the Librery' : view.title;
  return (
    '<!doctype html>' +
    renderToStaticMarkup(
      <html lang="en">
        <head>
          <meta charSet="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} – fake Stripe Checkout`}</title>
        </head>
        <body>
          <main>
            <h1>{title}</h1>
            {view.kind === 'open' ? (
              <>
                <p>Test mode: no card is charged.</p>
                <dl>
                  <dt>Amount</dt>
                  <dd id="amount">
                    {view.amount}
                    {view.every ? ` per ${view.every}` : ''}
                  </dd>
                </dl>
                <form method="post" action={`/c/pay/${view.sessionId}/pay`}>
                  <button type="submit">Pay</button>
                </form>
                <form method="post" action={`/c/pay/${view.sessionId}/cancel`}>
                  <button type="submit">Cancel</button>
                </form>
              </>
            ) : (
              <p>{view.message}</p>
            )}
          </main>
        </body>
      </html>,
    )
  );
}
