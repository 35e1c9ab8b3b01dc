import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Direction } from './contribution-split';
import { ContributionsError, ContributionsErrorCode } from './contributions.errors';

/**
 * Which directions name registered projects. Reads the projects catalogue's table directly (the
 * projects library exposes no lookup service yet); any registered project may receive directed
 * money, admitted or not: money for a project not yet admitted waits in its account.
 */
@Injectable()
export class ProjectDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Throws a 422 naming the first unknown project's field. */
  async assertRegistered(directions: readonly Direction[], field = 'directions', manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (directions.length === 0) return;
    const ids = directions.map((d) => d.projectId);
    const [{ present }] = (await manager.query(`SELECT to_regclass('projects') IS NOT NULL AS present`)) as { present: boolean }[];
    const known = new Set<string>();
    if (present) {
      const rows = (await manager.query('SELECT id::text AS id FROM projects WHERE id = ANY($1::uuid[])', [ids])) as { id: string }[];
      for (const r of rows) known.add(r.id);
    }
    const missing = directions.findIndex((d) => !known.has(d.projectId));
    if (missing >= 0) {
      throw new ContributionsError(ContributionsErrorCode.UnknownProject, `project ${ids[missing]} is not registered`, {
        field: `${field}[${missing}].projectId`,
      });
    }
  }
}
