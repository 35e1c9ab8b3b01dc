import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, Public } from '@app/identity';
import { ProjectsService, ProjectVerificationService } from '@app/projects';
import {
  AttestControlRequest,
  ChangeStatusRequest,
  PayoutDetailsRequest,
  ProposeProjectRequest,
  SearchProjectsQuery,
  UpdateProjectRequest,
  VerifyPayoutDetailsRequest,
} from './dto/projects.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('projects')
@ApiBearerAuth()
@JsonOnly()
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly verification: ProjectVerificationService,
  ) {}

  /** A user proposes a project and becomes its maintainer. */
  @Post()
  propose(@Caller() caller: Principal, @Body() body: ProposeProjectRequest) {
    return this.projects.propose(caller, body);
  }

  /** Public listing and search: name, licence id, purl, status. */
  @Public()
  @Get()
  search(@Query() query: SearchProjectsQuery) {
    return this.projects.search(query);
  }

  /** Public project page, by id or slug: metadata, funding.json summary, status history, money received. */
  @Public()
  @Get(':idOrSlug')
  page(@Param('idOrSlug') idOrSlug: string) {
    return this.projects.page(idOrSlug);
  }

  @Patch(':id')
  update(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateProjectRequest,
  ) {
    return this.projects.update(caller, id, body);
  }

  /** Admin moves the status with a reason (audited, public history). */
  @Post(':id/status')
  @HttpCode(200)
  changeStatus(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangeStatusRequest,
  ) {
    return this.projects.changeStatus(caller, id, body.status, body.reason);
  }

  /** A token to publish at <website>/.well-known/librery-verification. */
  @Post(':id/verification/challenges')
  createChallenge(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.verification.createChallenge(caller, id);
  }

  @Post(':id/verification/challenges/:challengeId/check')
  @HttpCode(200)
  checkChallenge(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('challengeId', ParseUUIDPipe) challengeId: string,
  ) {
    return this.verification.checkChallenge(caller, id, challengeId);
  }

  /** Fetches and validates the project's funding.json and checks its well-known provenance. */
  @Post(':id/verification/funding-manifest')
  @HttpCode(200)
  verifyFundingManifest(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.verification.verifyFundingManifest(caller, id);
  }

  /** An admin attests control verified by other means, with a reason (audited). */
  @Post(':id/verification/attestation')
  @HttpCode(200)
  attestControl(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AttestControlRequest,
  ) {
    return this.verification.attestControl(caller, id, body.reason);
  }

  /** Sets the payout details (never public); a change needs verifying again. */
  @Put(':id/payout-details')
  setPayoutDetails(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: PayoutDetailsRequest,
  ) {
    return this.verification.setPayoutDetails(
      caller,
      id,
      body.kind === 'sepa'
        ? {
            kind: 'sepa',
            accountHolder: body.accountHolder ?? '',
            iban: body.iban ?? '',
            bic: body.bic ?? null,
          }
        : { kind: 'stripe', stripeAccountId: body.stripeAccountId ?? '' },
    );
  }

  @Get(':id/payout-details')
  getPayoutDetails(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.verification.getPayoutDetails(caller, id);
  }

  @Post(':id/payout-details/verify')
  @HttpCode(200)
  verifyPayoutDetails(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: VerifyPayoutDetailsRequest,
  ) {
    return this.verification.verifyPayoutDetails(caller, id, body.revision);
  }
}
