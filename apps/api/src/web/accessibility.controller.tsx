import { Get, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import { pageContext, WebRequest } from './page-context';
import { AccessibilityPage } from './pages/accessibility.page';
import { renderPage } from './render';
import { WebController } from './web.decorators';

/** The accessibility statement (RGAA), linked from every page's footer. */
@WebController()
export class AccessibilityController {
  constructor(private readonly config: AppConfig) {}

  @Get(['accessibilite', 'accessibility'])
  statement(@Req() req: WebRequest, @Res() res: Response): void {
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    const contact = this.config.ACCESSIBILITY_CONTACT ?? `accessibilite@${new URL(base).hostname}`;
    renderPage(res, <AccessibilityPage ctx={pageContext(req, res)} siteUrl={`${base}/`} contact={contact} />);
  }
}
