import { Global, Module } from '@nestjs/common';
import { LedgerHooks } from './ledger-hooks';
import { LedgerService } from './ledger.service';

@Global()
@Module({
  providers: [LedgerService, LedgerHooks],
  exports: [LedgerService, LedgerHooks],
})
export class LedgerModule {}
