import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { IdentityService } from './identity.service';
import { AuthGuard } from './http/auth.guard';

@Global()
@Module({
  providers: [IdentityService, AuditService, AuthGuard],
  exports: [IdentityService, AuditService, AuthGuard],
})
export class IdentityModule {}
