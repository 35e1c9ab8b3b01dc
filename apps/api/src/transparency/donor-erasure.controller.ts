import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { Caller, Principal } from '@app/identity';
import { DonorErasureService } from '@app/payments';
import { JsonOnly } from '../common/request-body.guard';

export class DonorErasureRequest {
  /** The donor's subject: `user:<uuid>` (a signed-in donor) or `intent:<uuid>` (a donation without an account). */
  @IsString() @MaxLength(200) @Matches(/^[A-Za-z0-9_.:@-]+$/) subject!: string;
}

/** GDPR erasure of a private donor (admin, audited): salts, names, e-mails and statement keys go; the log still verifies. */
@ApiTags('transparency log')
@ApiBearerAuth()
@JsonOnly()
@Controller('transparency/donor-erasures')
export class DonorErasureController {
  constructor(private readonly erasures: DonorErasureService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Erase a private donor: the salt linking them to their commitments, their name, e-mail and statement key',
    description:
      '`salts` and `donations` count what was erased, `erased` their sum: 0 when there was nothing to erase for the subject.',
  })
  async erase(@Caller() caller: Principal, @Body() body: DonorErasureRequest) {
    return this.erasures.erase(caller, body.subject);
  }
}
