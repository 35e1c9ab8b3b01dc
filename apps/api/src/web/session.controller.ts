import { Post, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { OidcService } from '@app/sign-in';
import { WebRequest } from './page-context';
import { WebController } from './web.decorators';
import { WebSessions } from './web-sessions.service';

/** What the sign-in keeps in the session to log out at the provider (see SignInController). */
interface OidcLogout {
  provider: string;
  idToken: string;
}

/** Sign-out (a POST form in the header of every page when signed in). */
@WebController()
export class SessionController {
  constructor(
    private readonly sessions: WebSessions,
    private readonly oidc: OidcService,
  ) {}

  /**
   * Ends the session here (audited); someone signed in through an OpenID Connect provider is then
   * sent to its end_session endpoint with their ID token as hint, which brings them back to
   * /sign-out/done.
   */
  @Post(['deconnexion', 'sign-out'])
  async signOut(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    const logout = req.webSession?.data.oidcLogout as OidcLogout | undefined;
    await this.sessions.signOut(req, res);
    const atProvider = logout
      ? await this.oidc.endSessionUrl(logout.provider, logout.idToken).catch(() => null)
      : null;
    res.redirect(303, atProvider ?? '/deconnexion/fin');
  }
}
