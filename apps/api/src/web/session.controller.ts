import { Post, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { WebRequest } from './page-context';
import { WebController } from './web.decorators';
import { WebSessions } from './web-sessions.service';

/** Sign-out (a POST form in the header of every page when signed in). */
@WebController()
export class SessionController {
  constructor(private readonly sessions: WebSessions) {}

  @Post(['deconnexion', 'sign-out'])
  async signOut(@Req() req: WebRequest, @Res() res: Response): Promise<void> {
    await this.sessions.signOut(req, res);
    res.redirect(303, '/');
  }
}
