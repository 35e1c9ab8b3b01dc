import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ProjectsError, ProjectsErrorCode, ProjectsService } from '@app/projects';
import { Direction } from './contribution-split';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';

/**
 * Which directions name projects that may receive directed money, as the projects catalogue
 * says (`ProjectsService.assertFundable`: proposed or admitted; money for a project not yet
 * admitted waits in its account). Refusals become a 422 naming the first direction's field.
 */
@Injectable()
export class ProjectDirectory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projects: ProjectsService,
  ) {}

  async assertRegistered(
    directions: readonly Direction[],
    field = 'directions',
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    if (directions.length === 0) return;
    try {
      await this.projects.assertFundable(
        directions.map((d) => d.projectId),
        manager,
      );
    } catch (e) {
      if (!(e instanceof ProjectsError) || e.code !== ProjectsErrorCode.NotFundable) throw e;
      const details = e.details as { unknown?: string[]; notFundable?: { id: string; status: string }[] };
      const refused = new Set([...(details.unknown ?? []), ...(details.notFundable ?? []).map((p) => p.id)]);
      const index = Math.max(
        0,
        directions.findIndex((d) => refused.has(d.projectId)),
      );
      const status = details.notFundable?.find((p) => p.id === directions[index].projectId)?.status;
      throw new ContributionsError(
        ContributionsErrorCode.UnknownProject,
        status
          ? `project ${directions[index].projectId} is ${status} and cannot receive money`
          : `project ${directions[index].projectId} is not registered`,
        { field: `${field}[${index}].projectId` },
      );
    }
  }
}
