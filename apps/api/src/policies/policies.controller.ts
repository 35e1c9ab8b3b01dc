import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@app/identity';
import { Policy, PolicyService } from '@app/policy';
import { PolicyResponse } from './dto/policy.response';

@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PolicyService) {}

  @Public()
  @Get('current')
  async current(): Promise<PolicyResponse> {
    return PolicyResponse.from(await this.policies.current());
  }

  @Public()
  @Get()
  async history(): Promise<PolicyResponse[]> {
    return (await this.policies.history()).map((p: Policy) => PolicyResponse.from(p));
  }
}
