import { Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { CheckpointService } from './checkpoint/checkpoint.service';
import { loadLogSigner, LOG_SIGNER } from './checkpoint/log-signer.provider';
import { DonorCommitmentsService } from './donors/donor-commitments.service';
import { TransparencyLogService } from './log/transparency-log.service';
import { OpenDataService } from './public/open-data.service';
import { PublicLedgerService } from './public/public-ledger.service';

/** The public, verifiable side of the ledger. Import it in every process that posts entries (API and worker). */
@Module({
  providers: [
    { provide: LOG_SIGNER, inject: [AppConfig], useFactory: loadLogSigner },
    TransparencyLogService,
    CheckpointService,
    PublicLedgerService,
    DonorCommitmentsService,
    OpenDataService,
  ],
  exports: [
    TransparencyLogService,
    CheckpointService,
    PublicLedgerService,
    DonorCommitmentsService,
    OpenDataService,
    LOG_SIGNER,
  ],
})
export class TransparencyModule {}
