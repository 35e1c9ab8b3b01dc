import { AccountView, OidcProviderView } from '@app/sign-in';
import type { OutboxMailView } from '@app/mail';
import {
  Button,
  ButtonLink,
  DateTime,
  ErrorSummary,
  errorOf,
  Field,
  FieldError,
  Form,
  Notice,
  SummaryList,
  Table,
} from '../web/components';
import { Layout } from '../web/layout';
import { PageContext } from '../web/page-context';
import { SIGN_IN } from './sign-in.messages';

/** The sign-in form's path in the page's language. */
export const signInPath = (ctx: PageContext): string => (ctx.lang === 'fr' ? '/connexion' : '/sign-in');

function EmailForm({
  ctx,
  values,
  errors,
  submit,
}: {
  ctx: PageContext;
  values: { email?: string };
  errors: FieldError[];
  submit: string;
}) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Form ctx={ctx} action={signInPath(ctx)} label={m.emailTitle}>
      <Field
        name="email"
        label={m.emailLabel}
        hint={m.emailHint}
        type="email"
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        value={values.email}
        error={errorOf(errors, 'email')}
        required
      />
      <Button>{submit}</Button>
    </Form>
  );
}

/** `/connexion`: ProConnect (and the other configured provider), or an email link. */
export function SignInPage({
  ctx,
  providers,
  values,
  errors,
}: {
  ctx: PageContext;
  providers: readonly OidcProviderView[];
  values: { email?: string };
  errors: FieldError[];
}) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.title} hasErrors={errors.length > 0} lead={m.lead}>
      <ErrorSummary ctx={ctx} errors={errors} />
      {providers.length > 0 ? (
        <section aria-labelledby="providers-title">
          <h2 id="providers-title">{m.providersTitle}</h2>
          <ul className="sign-in-providers">
            {providers.map((p) => (
              <li key={p.id}>
                <ButtonLink href={`/auth/${p.id}/start?lang=${ctx.lang}`}>
                  {p.id === 'proconnect' ? m.proconnectButton : m.otherProvider(p.label)}
                </ButtonLink>
                {p.id === 'proconnect' ? (
                  <p>
                    <a href="https://www.proconnect.gouv.fr/" title={m.proconnectWhatNewWindow}>
                      {m.proconnectWhat}
                    </a>
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="email-title">
        <h2 id="email-title">{m.emailTitle}</h2>
        <EmailForm ctx={ctx} values={values} errors={errors} submit={m.emailSubmit} />
      </section>
    </Layout>
  );
}

/** After asking for a link: the same page whether or not the address has an account. */
export function CheckMailPage({ ctx }: { ctx: PageContext }) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.checkTitle}>
      <Notice kind="success">
        <p>{m.checkBody}</p>
      </Notice>
      <p>{m.checkNone}</p>
      <p>
        <a href={signInPath(ctx)}>{m.checkAgain}</a>
      </p>
    </Layout>
  );
}

/** Following a link asks for a click: a mail scanner's visit cannot use it up. */
export function ConfirmLinkPage({ ctx, action }: { ctx: PageContext; action: string }) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.confirmTitle} lead={m.confirmBody}>
      <Form ctx={ctx} action={action}>
        <Button>{m.confirmButton}</Button>
      </Form>
    </Layout>
  );
}

export type LinkProblem = 'expired' | 'used' | 'unknown';

/** An expired, used or unknown link: says which, and offers a new one. */
export function LinkRefusedPage({ ctx, problem }: { ctx: PageContext; problem: LinkProblem }) {
  const m = SIGN_IN[ctx.lang];
  const [title, body] =
    problem === 'expired'
      ? [m.linkExpiredTitle, m.linkExpiredBody]
      : problem === 'used'
        ? [m.linkUsedTitle, m.linkUsedBody]
        : [m.linkUnknownTitle, m.linkUnknownBody];
  return (
    <Layout ctx={ctx} title={title}>
      <Notice kind="warning">
        <p>{body}</p>
      </Notice>
      <EmailForm ctx={ctx} values={{}} errors={[]} submit={m.newLink} />
    </Layout>
  );
}

/** An OpenID Connect callback that did not check out: nothing signed in. */
export function SignInRefusedPage({
  ctx,
  reason,
}: {
  ctx: PageContext;
  reason: 'refused' | 'unavailable' | 'unverified';
}) {
  const m = SIGN_IN[ctx.lang];
  const body =
    reason === 'unavailable'
      ? m.refusedUnavailable
      : reason === 'unverified'
        ? m.refusedUnverified
        : m.refusedBody;
  return (
    <Layout ctx={ctx} title={m.refusedTitle}>
      <Notice kind="error">
        <p>{body}</p>
      </Notice>
      <p>
        <a href={signInPath(ctx)}>{m.backToSignIn}</a>
      </p>
    </Layout>
  );
}

export function SignedOutPage({ ctx }: { ctx: PageContext }) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.signedOutTitle}>
      <Notice kind="success">
        <p>{m.signedOutBody}</p>
      </Notice>
      <p>
        <a href="/">{m.home}</a> · <a href={signInPath(ctx)}>{m.title}</a>
      </p>
    </Layout>
  );
}

/** `/compte`: who is signed in, how, with which roles, and what waits for an administrator. */
export function AccountPage({
  ctx,
  account,
  method,
  providers,
}: {
  ctx: PageContext;
  account: AccountView;
  method: string | null;
  providers: readonly OidcProviderView[];
}) {
  const m = SIGN_IN[ctx.lang];
  const provider = method?.startsWith('oidc:') ? providers.find((p) => `oidc:${p.id}` === method) : undefined;
  return (
    <Layout ctx={ctx} title={m.accountTitle}>
      {account.pendingAccess.map((p) => (
        <Notice key={p.id} kind="info" title={m.pendingTitle}>
          <p>{m.pendingBody(`${p.organisationName} (SIRET ${p.siret})`)}</p>
        </Notice>
      ))}
      <SummaryList
        items={[
          { term: m.accountName, value: account.displayName ?? '—' },
          { term: m.accountEmail, value: account.email ?? '—' },
          {
            term: m.accountMethod,
            value:
              method === 'email-link'
                ? m.methodEmail
                : provider
                  ? m.methodProvider(provider.label)
                  : (method ?? '—'),
          },
          {
            term: m.accountRoles,
            value:
              account.roles.length === 0 ? (
                m.accountNoRole
              ) : (
                <ul>
                  {account.roles.map((r) => (
                    <li key={`${r.role}:${r.scopeId}`}>
                      {m.roles[r.role] ?? r.role}
                      {r.scopeId ? ` ${m.scope(r.scopeName ?? r.scopeId)}` : ''}
                    </li>
                  ))}
                </ul>
              ),
          },
        ]}
      />
    </Layout>
  );
}

/** `/dev/mail` (development only): the outbox, for a newcomer without an SMTP server. */
export function DevMailPage({ ctx, mails }: { ctx: PageContext; mails: readonly OutboxMailView[] }) {
  const m = SIGN_IN[ctx.lang];
  return (
    <Layout ctx={ctx} title={m.devMailTitle} lead={m.devMailLead}>
      {mails.length === 0 ? (
        <p>{m.devMailNone}</p>
      ) : (
        <Table
          caption={m.devMailCaption}
          columns={[
            { label: m.devMailSubject },
            { label: m.devMailTo },
            { label: m.devMailStatus },
            { label: m.devMailCreated },
            { label: m.devMailText },
          ]}
          rows={mails.map((mail) => ({
            key: mail.id,
            cells: [
              mail.subject,
              mail.to,
              mail.status,
              <DateTime key="d" value={mail.createdAt} lang={ctx.lang} />,
              <pre key="t" className="mail-text">
                {mail.text}
              </pre>,
            ],
          }))}
        />
      )}
    </Layout>
  );
}
