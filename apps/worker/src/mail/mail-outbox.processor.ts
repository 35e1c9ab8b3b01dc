import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { MailSenderService } from '@app/mail';

/**
 * Polls the mail outbox every MAIL_POLL_MS and sends what is due. Any number of workers may poll:
 * each mail is claimed with SKIP LOCKED and marked sent in its claim's transaction.
 */
@Injectable()
export class MailOutboxProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailOutboxProcessor.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sender: MailSenderService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.MAIL_POLL_MS);
    this.timer.unref();
    this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): void {
    if (this.running || this.timer === null) return;
    this.running = this.sender
      .sendDue()
      .then((outcomes) => {
        if (outcomes.length > 0) this.logger.debug({ outcomes }, 'mail outbox');
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'mail outbox poll failed'))
      .finally(() => {
        this.running = null;
      });
  }
}
