import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { IdempotencyRecordsService } from './idempotency-records.service';
import { IdentityService } from './identity.service';
import { AuthGuard } from './http/auth.guard';

@Global()
@Module({
  providers: [IdentityService, AuditService, AuthGuard, IdempotencyRecordsService],
  exports: [IdentityService, AuditService, AuthGuard, IdempotencyRecordsService],
})
export class IdentityModule {}
