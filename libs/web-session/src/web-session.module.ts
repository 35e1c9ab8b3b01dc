import { Global, Module } from '@nestjs/common';
import { WebSessionService } from './web-session.service';

@Global()
@Module({ providers: [WebSessionService], exports: [WebSessionService] })
export class WebSessionModule {}
