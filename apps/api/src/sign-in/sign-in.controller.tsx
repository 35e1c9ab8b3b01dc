import { Body, Get, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import { MailOutboxService } from '@app/mail';
import {
  AccountService,
  EmailLinkService,
  OidcService,
  PendingOidcSignIn,
  safeReturnTo,
  SignInError,
  SignInErrorCode,
} from '@app/sign-in';
import { FieldError } from '../web/components';
import { pageContext, WebRequest } from '../web/page-context';
import { renderPage } from '../web/render';
import { WebController } from '../web/web.decorators';
import { WebSessions } from '../web/web-sessions.service';
import { SIGN_IN } from './sign-in.messages';
import {
  AccountPage,
  CheckMailPage,
  ConfirmLinkPage,
  DevMailPage,
  LinkProblem,
  LinkRefusedPage,
  SignedOutPage,
  SignInPage,
  SignInRefusedPage,
} from './sign-in.pages';

/** Session keys of the sign-in: the OpenID Connect sign-in in progress, and what logout at the provider needs. */
export const OIDC_PENDING_KEY = 'oidcPending';
export const OIDC_LOGOUT_KEY = 'oidcLogout';

/** Sign-in by email link or OpenID Connect (ProConnect, a second provider), the account page, the development mailbox. */
@WebController()
export class SignInController {
  constructor(
    private readonly sessions: WebSessions,
    private readonly links: EmailLinkService,
    private readonly oidc: OidcService,
    private readonly accounts: AccountService,
    private readonly outbox: MailOutboxService,
    private readonly config: AppConfig,
  ) {}

  @Get(['connexion', 'sign-in'])
  async form(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    renderPage(res, <SignInPage ctx={ctx} providers={this.oidc.configured()} values={{}} errors={[]} />);
  }

  /** Asks for a link; the same answer whether or not the address has an account. */
  @Post(['connexion', 'sign-in'])
  async requestLink(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Body() body: Record<string, string>,
  ): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    const m = SIGN_IN[ctx.lang];
    try {
      await this.links.requestLink({ email: body.email, lang: ctx.lang, ip: req.ip ?? '' });
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      const rateLimited = error.code === SignInErrorCode.RateLimited;
      if (!rateLimited && error.code !== SignInErrorCode.InvalidEmail) throw error;
      const minutes = Math.max(1, Math.ceil(Number(error.details.retryAfterSeconds ?? 60) / 60));
      const errors: FieldError[] = [
        { field: 'email', message: rateLimited ? m.rateLimited(minutes) : m.emailInvalid },
      ];
      if (rateLimited) res.setHeader('Retry-After', String(minutes * 60));
      return renderPage(
        res,
        <SignInPage
          ctx={ctx}
          providers={this.oidc.configured()}
          values={{ email: body.email }}
          errors={errors}
        />,
        rateLimited ? 429 : 400,
      );
    }
    res.redirect(303, ctx.lang === 'fr' ? '/connexion/verifiez' : '/sign-in/check-your-email');
  }

  @Get(['connexion/verifiez', 'sign-in/check-your-email'])
  checkMail(@Req() req: WebRequest, @Res() res: Response): void {
    renderPage(res, <CheckMailPage ctx={pageContext(req, res)} />);
  }

  /** The link from the mail: checked, then one click signs in (a mail scanner's visit uses nothing). */
  @Get(['connexion/lien/:token', 'sign-in/link/:token'])
  async confirmLink(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('token') token: string,
  ): Promise<void> {
    const ctx = await this.sessions.context(req, res, { form: true });
    try {
      await this.links.check(token);
    } catch (error) {
      return this.linkRefused(req, res, error);
    }
    renderPage(res, <ConfirmLinkPage ctx={ctx} action={ctx.path} />);
  }

  @Post(['connexion/lien/:token', 'sign-in/link/:token'])
  async useLink(@Req() req: WebRequest, @Res() res: Response, @Param('token') token: string): Promise<void> {
    let userId: string;
    try {
      ({ userId } = await this.links.consume(token, req.ip ?? ''));
    } catch (error) {
      return this.linkRefused(req, res, error);
    }
    await this.sessions.signIn(req, res, userId, 'email-link');
    await this.sessions.setData(req, res, { [OIDC_LOGOUT_KEY]: null });
    res.redirect(303, pageContext(req).lang === 'fr' ? '/compte' : '/account');
  }

  /** Starts an OpenID Connect sign-in: state, nonce and PKCE verifier kept in the session. */
  @Get('auth/:provider/start')
  async startOidc(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('provider') provider: string,
    @Query('retour') returnTo?: string,
  ): Promise<void> {
    try {
      const { url, pending } = await this.oidc.begin(provider, {
        returnTo: safeReturnTo(returnTo),
        ip: req.ip ?? '',
      });
      await this.sessions.setData(req, res, { [OIDC_PENDING_KEY]: pending });
      res.redirect(303, url);
    } catch (error) {
      if (error instanceof SignInError && error.code === SignInErrorCode.ProviderUnavailable)
        return this.oidcRefused(req, res, 'unavailable', 503);
      throw error;
    }
  }

  /**
   * The provider's answer. The pending sign-in is taken out of the session first, so the same
   * callback can never be used twice; anything that does not check out signs nobody in.
   */
  @Get('auth/:provider/callback')
  async oidcCallback(
    @Req() req: WebRequest,
    @Res() res: Response,
    @Param('provider') provider: string,
  ): Promise<void> {
    const pending = req.webSession?.data[OIDC_PENDING_KEY] as PendingOidcSignIn | undefined;
    if (req.webSession) await this.sessions.setData(req, res, { [OIDC_PENDING_KEY]: null });
    const currentUrl = new URL(req.originalUrl, this.config.PUBLIC_BASE_URL);
    try {
      const result = await this.oidc.callback(provider, currentUrl, pending);
      await this.sessions.signIn(req, res, result.userId, `oidc:${result.provider}`);
      await this.sessions.setData(req, res, {
        [OIDC_LOGOUT_KEY]: { provider: result.provider, idToken: result.idToken },
      });
      const lang = pageContext(req).lang;
      res.redirect(
        303,
        pending && pending.returnTo !== '/' ? pending.returnTo : lang === 'fr' ? '/compte' : '/account',
      );
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      if (error.code === SignInErrorCode.UnknownProvider) throw error;
      const reason =
        error.code === SignInErrorCode.ProviderUnavailable
          ? 'unavailable'
          : error.code === SignInErrorCode.EmailUnverified
            ? 'unverified'
            : 'refused';
      return this.oidcRefused(req, res, reason, reason === 'unavailable' ? 503 : 400);
    }
  }

  @Get(['sign-out/done', 'deconnexion/fin'])
  signedOut(@Req() req: WebRequest, @Res() res: Response): void {
    renderPage(res, <SignedOutPage ctx={pageContext(req, res)} />);
  }

  @Get(['compte', 'account'])
  async account(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const ctx = await this.sessions.context(req, res);
    const session = req.webSession;
    if (!session?.user) return res.redirect(303, ctx.lang === 'fr' ? '/connexion' : '/sign-in');
    const account = await this.accounts.describe(session.user.id);
    renderPage(
      res,
      <AccountPage
        ctx={ctx}
        account={account}
        method={session.authMethod}
        providers={this.oidc.configured()}
      />,
    );
  }

  /** Development only: the mails of the outbox (404 in production). */
  @Get('dev/mail')
  async devMail(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    if (this.config.NODE_ENV === 'production') throw new NotFoundException();
    res.setHeader('Cache-Control', 'no-store');
    renderPage(res, <DevMailPage ctx={pageContext(req, res)} mails={await this.outbox.latest(50)} />);
  }

  private async linkRefused(req: WebRequest, res: Response, error: unknown): Promise<void> {
    if (!(error instanceof SignInError)) throw error;
    const problems: Partial<Record<SignInErrorCode, LinkProblem>> = {
      [SignInErrorCode.LinkExpired]: 'expired',
      [SignInErrorCode.LinkUsed]: 'used',
      [SignInErrorCode.LinkUnknown]: 'unknown',
    };
    const problem = problems[error.code];
    if (!problem) throw error;
    const ctx = await this.sessions.context(req, res, { form: true });
    renderPage(res, <LinkRefusedPage ctx={ctx} problem={problem} />, problem === 'unknown' ? 404 : 410);
  }

  private async oidcRefused(
    req: WebRequest,
    res: Response,
    reason: 'refused' | 'unavailable' | 'unverified',
    status: number,
  ): Promise<void> {
    renderPage(res, <SignInRefusedPage ctx={pageContext(req, res)} reason={reason} />, status);
  }
}
