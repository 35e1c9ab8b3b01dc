import { performance } from 'node:perf_hooks';
import { analyseSbom, bufferChunks, SbomWeighting } from '@app/projects';
import { generateSbom } from './projects-sbom';

const COMPONENTS = 5000;
const PROJECTS = 10000;
const WARM_UP = 5;
const REPETITIONS = 15;
const WEIGHTING: SbomWeighting = { directWeight: 3, transitiveWeight: 1, maxBytes: 20 * 1024 * 1024 };

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Streamed analysis of a 5,000-component CycloneDX SBOM (read in 64 KiB chunks, matched against
 * a 10,000-project catalogue) against a plain JSON.parse of the same bytes; target ratio ≤ 5.
 */
export async function run(): Promise<Record<string, number>> {
  const { buffer, catalogue } = generateSbom(COMPONENTS, PROJECTS);
  const parse = (): number => {
    const start = performance.now();
    JSON.parse(buffer.toString('utf8'));
    return performance.now() - start;
  };
  const analyse = async (): Promise<number> => {
    const start = performance.now();
    const result = await analyseSbom(bufferChunks(buffer), WEIGHTING, catalogue);
    const elapsed = performance.now() - start;
    if (result.coverage.componentsTotal !== COMPONENTS) throw new Error('the analysis lost components');
    return elapsed;
  };
  for (let i = 0; i < WARM_UP; i++) {
    parse();
    await analyse();
  }
  const parses: number[] = [];
  const analyses: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    parses.push(parse());
    analyses.push(await analyse());
  }
  const p = median(parses);
  const a = median(analyses);
  return {
    projects_sbom_bytes: buffer.byteLength,
    projects_sbom_json_parse_ms: Math.round(p * 1000) / 1000,
    projects_sbom_analysis_ms: Math.round(a * 1000) / 1000,
    projects_sbom_ratio: Math.round((a / p) * 1000) / 1000,
  };
}
