import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BallotBoxService, publicRound, RoundsService } from '@app/governance';
import { Caller, Principal, Public } from '@app/identity';
import { CreateRoundRequest, ProxyRequest, RoundBallotRequest } from './dto/governance.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('governance')
@ApiBearerAuth()
@JsonOnly()
@Controller('governance/rounds')
export class RoundsController {
  constructor(
    private readonly rounds: RoundsService,
    private readonly box: BallotBoxService,
  ) {}

  @Post()
  async create(@Caller() caller: Principal, @Body() body: CreateRoundRequest) {
    return publicRound(await this.rounds.create(caller, body));
  }

  @Public()
  @Get()
  async list(@Query('state') state?: string) {
    return (await this.rounds.list(state)).map(publicRound);
  }

  @Public()
  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return publicRound(await this.rounds.get(id));
  }

  @Post(':id/open')
  @HttpCode(200)
  async open(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return publicRound(await this.rounds.open(caller, id));
  }

  @Post(':id/ballots')
  vote(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RoundBallotRequest,
  ) {
    return this.rounds.vote(caller, id, body);
  }

  @Post(':id/proxies')
  proxy(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: ProxyRequest) {
    return this.box.grantProxy(caller, 'round', id, body.holderUserId);
  }

  @Public()
  @Get(':id/results')
  results(@Param('id', ParseUUIDPipe) id: string) {
    return this.rounds.results(id);
  }

  @Public()
  @Get(':id/receipts/:receipt')
  receipt(@Param('id', ParseUUIDPipe) id: string, @Param('receipt') receipt: string) {
    return this.rounds.verifyReceipt(id, receipt);
  }
}
