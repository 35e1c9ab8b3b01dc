import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { Caller, Principal } from '@app/identity';
import { DonorCommitmentsService } from '@app/transparency';
import { JsonOnly } from '../common/request-body.guard';

export class DonorErasureRequest {
  /** The donor's subject, as given to the commitment (e.g. `donor:<uuid>`). */
  @IsString() @MaxLength(200) @Matches(/^[A-Za-z0-9_.:@-]+$/) subject!: string;
}

/** GDPR erasure of a private donor's commitment salt (admin, audited): the leaf keeps an unlinkable commitment. */
@ApiTags('transparency log')
@ApiBearerAuth()
@JsonOnly()
@Controller('transparency/donor-erasures')
export class DonorErasureController {
  constructor(private readonly commitments: DonorCommitmentsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase the salt linking a donor to the commitments in the public log',
    description: '`erased` is the number of salts deleted: 0 when the subject had none.',
  })
  async erase(@Caller() caller: Principal, @Body() body: DonorErasureRequest) {
    return { subject: body.subject, erased: await this.commitments.erase(caller, body.subject) };
  }
}
