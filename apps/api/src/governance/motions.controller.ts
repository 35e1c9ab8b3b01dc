import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BallotBoxService, MotionsService, publicMotion } from '@app/governance';
import { Caller, Principal, Public } from '@app/identity';
import { CreateMotionRequest, MotionBallotRequest, ProxyRequest } from './dto/governance.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('governance')
@ApiBearerAuth()
@JsonOnly()
@Controller('governance/motions')
export class MotionsController {
  constructor(
    private readonly motions: MotionsService,
    private readonly box: BallotBoxService,
  ) {}

  @Post()
  async create(@Caller() caller: Principal, @Body() body: CreateMotionRequest) {
    return publicMotion(await this.motions.create(caller, body));
  }

  @Public()
  @Get()
  async list(@Query('state') state?: string) {
    return (await this.motions.list(state)).map(publicMotion);
  }

  @Public()
  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return publicMotion(await this.motions.get(id));
  }

  @Post(':id/open')
  @HttpCode(200)
  async open(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return publicMotion(await this.motions.open(caller, id));
  }

  @Post(':id/ballots')
  vote(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: MotionBallotRequest,
  ) {
    return this.motions.vote(caller, id, body);
  }

  @Post(':id/proxies')
  proxy(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: ProxyRequest) {
    return this.box.grantProxy(caller, 'motion', id, body.holderUserId);
  }

  @Public()
  @Get(':id/results')
  results(@Param('id', ParseUUIDPipe) id: string) {
    return this.motions.results(id);
  }

  @Public()
  @Get(':id/receipts/:receipt')
  receipt(@Param('id', ParseUUIDPipe) id: string, @Param('receipt') receipt: string) {
    return this.motions.verifyReceipt(id, receipt);
  }
}
