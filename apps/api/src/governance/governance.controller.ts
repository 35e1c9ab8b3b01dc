import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BallotBoxService, MembersService } from '@app/governance';
import { Caller, Principal, Public } from '@app/identity';
import { AppointMemberRequest } from './dto/governance.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('governance')
@ApiBearerAuth()
@JsonOnly()
@Controller('governance')
export class GovernanceController {
  constructor(
    private readonly members: MembersService,
    private readonly box: BallotBoxService,
  ) {}

  @Public()
  @Get('colleges')
  colleges() {
    return this.members.colleges();
  }

  @Public()
  @Get('members')
  listMembers(@Query('college') college?: string) {
    return this.members.list(college);
  }

  @Post('members')
  appoint(@Caller() caller: Principal, @Body() body: AppointMemberRequest) {
    return this.members.appoint(caller, {
      userId: body.userId,
      collegeId: body.collegeId,
      termStart: body.termStart ? new Date(body.termStart) : undefined,
      termEnd: new Date(body.termEnd),
    });
  }

  @Delete('members/:id')
  endTerm(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.members.endTerm(caller, id);
  }

  @Delete('proxies/:id')
  @HttpCode(200)
  revokeProxy(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.box.revokeProxy(caller, id);
  }
}
