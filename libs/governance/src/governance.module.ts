import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ProjectsModule } from '@app/projects';
import { QueueName } from '@app/queue';
import { BallotBoxService } from './ballots/ballot-box.service';
import { GovernanceScheduler } from './governance-scheduler.service';
import { MembersService } from './members/members.service';
import { MotionsService } from './motions/motions.service';
import { RoundsService } from './rounds/rounds.service';

/** Colleges, members, proxies, motions, funding rounds and their tallies; used by the API and the worker. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Governance }), ProjectsModule],
  providers: [MembersService, BallotBoxService, RoundsService, MotionsService, GovernanceScheduler],
  exports: [MembersService, BallotBoxService, RoundsService, MotionsService, GovernanceScheduler],
})
export class GovernanceModule {}
