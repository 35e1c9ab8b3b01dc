import { tryVersionlessPurl } from './purl';
import { ProjectsError, ProjectsErrorCode } from './projects.errors';
import { RawCdxComponent, RawSbom, readSbom } from './sbom-reader';

/**
 * The SBOM weighting rule, kept in the policy (`policies.sbom`): a package the analysed project
 * depends on directly weighs `directWeight`, any other package (transitive, or of unknown depth)
 * weighs `transitiveWeight`. A package counts once, whatever its versions and paths: it is direct
 * when at least one of its occurrences is. Documents over `maxBytes` are refused.
 */
export interface SbomWeighting {
  readonly directWeight: number;
  readonly transitiveWeight: number;
  readonly maxBytes: number;
}

export const SUPPORTED_CYCLONEDX_VERSIONS = ['1.4', '1.5', '1.6', '1.7'] as const;
export const SUPPORTED_SPDX_VERSIONS = ['SPDX-2.3'] as const;
export const SBOM_ANALYSIS_RULE = 'sbom-direct-transitive-v1';

export type SbomFormat = 'CycloneDX' | 'SPDX';

export interface SbomPackage {
  /** Versionless, normalised purl. */
  readonly purl: string;
  readonly direct: boolean;
  readonly weight: number;
  /** Distinct packages (or the root) that depend on it in the document. */
  readonly dependents: number;
  /** How many components of the document reduce to this purl (versions, nested copies). */
  readonly occurrences: number;
}

export interface SbomGraph {
  readonly format: SbomFormat;
  readonly specVersion: string;
  readonly bytes: number;
  /** Component entries read, the root excluded. */
  readonly components: number;
  /** Component entries without a usable purl (they cannot be matched and are not counted below). */
  readonly componentsWithoutPurl: number;
  /** Distinct packages, most depended-on first. */
  readonly packages: readonly SbomPackage[];
}

export interface MatchedPackage extends SbomPackage {
  readonly projectId: string | null;
}

export interface SuggestedDirection {
  readonly projectId: string;
  readonly weight: number;
}

export interface SbomCoverage {
  readonly componentsMatched: number;
  readonly componentsTotal: number;
  readonly weightMatched: number;
  readonly weightTotal: number;
}

export interface SbomAnalysisResult extends Omit<SbomGraph, 'packages'> {
  readonly rule: typeof SBOM_ANALYSIS_RULE;
  readonly weighting: { readonly directWeight: number; readonly transitiveWeight: number };
  readonly packages: readonly MatchedPackage[];
  /** Projects with integer weights, heaviest first (ties by project id). */
  readonly directions: readonly SuggestedDirection[];
  readonly coverage: SbomCoverage;
  /** Packages no registered project claims, most depended-on first. */
  readonly unmatched: readonly MatchedPackage[];
}

/** purl → project id, e.g. a Map built from the catalogue rows whose purls the graph names. */
export interface CatalogueLookup {
  get(purl: string): string | undefined;
}

/** Reads an SBOM stream and reduces it to its package graph (no catalogue needed). */
export async function analyseSbomGraph(
  source: AsyncIterable<Uint8Array | string>,
  weighting: SbomWeighting,
): Promise<SbomGraph> {
  assertWeighting(weighting);
  const { document, bytes } = await readSbom(source, { maxBytes: weighting.maxBytes });
  return buildGraph(document, bytes, weighting);
}

/** Matches a package graph against the catalogue: suggested direction, coverage, unmatched packages. */
export function matchCatalogue(
  graph: SbomGraph,
  catalogue: CatalogueLookup,
  weighting: SbomWeighting,
): SbomAnalysisResult {
  const perProject = new Map<string, number>();
  const packages: MatchedPackage[] = [];
  const unmatched: MatchedPackage[] = [];
  let componentsMatched = 0;
  let weightMatched = 0;
  let weightTotal = 0;
  for (const pkg of graph.packages) {
    const projectId = catalogue.get(pkg.purl) ?? null;
    const matched: MatchedPackage = { ...pkg, projectId };
    packages.push(matched);
    weightTotal += pkg.weight;
    if (projectId === null) {
      unmatched.push(matched);
      continue;
    }
    componentsMatched++;
    weightMatched += pkg.weight;
    perProject.set(projectId, (perProject.get(projectId) ?? 0) + pkg.weight);
  }
  const directions = [...perProject.entries()]
    .map(([projectId, weight]) => ({ projectId, weight }))
    .sort((a, b) => b.weight - a.weight || compareStrings(a.projectId, b.projectId));
  return {
    format: graph.format,
    specVersion: graph.specVersion,
    bytes: graph.bytes,
    components: graph.components,
    componentsWithoutPurl: graph.componentsWithoutPurl,
    rule: SBOM_ANALYSIS_RULE,
    weighting: { directWeight: weighting.directWeight, transitiveWeight: weighting.transitiveWeight },
    packages,
    directions,
    coverage: { componentsMatched, componentsTotal: graph.packages.length, weightMatched, weightTotal },
    unmatched,
  };
}

/** Both steps at once, for a catalogue held in memory. */
export async function analyseSbom(
  source: AsyncIterable<Uint8Array | string>,
  weighting: SbomWeighting,
  catalogue: CatalogueLookup,
): Promise<SbomAnalysisResult> {
  return matchCatalogue(await analyseSbomGraph(source, weighting), catalogue, weighting);
}

function assertWeighting(w: SbomWeighting): void {
  const ok =
    Number.isSafeInteger(w.directWeight) &&
    Number.isSafeInteger(w.transitiveWeight) &&
    Number.isSafeInteger(w.maxBytes) &&
    w.directWeight > 0 &&
    w.transitiveWeight > 0 &&
    w.maxBytes > 0;
  if (!ok)
    throw new ProjectsError(ProjectsErrorCode.InvalidInput, 'the policy SBOM weighting is not valid', {
      weighting: w,
    });
}

/** One node of the document: a component (CycloneDX bom-ref) or a package (SPDX id). */
interface Node {
  purl: string | null;
}

const ROOT_KEY = '\u0000root';

function buildGraph(doc: RawSbom, bytes: number, weighting: SbomWeighting): SbomGraph {
  if (doc.bomFormat !== undefined) {
    if (doc.bomFormat !== 'CycloneDX') throw unknownFormat();
    const version = String(doc.specVersion ?? '');
    if (!(SUPPORTED_CYCLONEDX_VERSIONS as readonly string[]).includes(version)) {
      throw unsupported(`CycloneDX ${version || '(no specVersion)'}`);
    }
    return cycloneDxGraph(doc, version, bytes, weighting);
  }
  if (typeof doc.spdxVersion === 'string') {
    if (!(SUPPORTED_SPDX_VERSIONS as readonly string[]).includes(doc.spdxVersion))
      throw unsupported(doc.spdxVersion);
    return spdxGraph(doc, doc.spdxVersion, bytes, weighting);
  }
  throw unknownFormat();
}

function cycloneDxGraph(doc: RawSbom, version: string, bytes: number, weighting: SbomWeighting): SbomGraph {
  const nodes = new Map<string, Node>();
  const loose: Node[] = [];
  const rootRef = str(doc.metadata?.component?.['bom-ref']);
  const rootPurl = purlOf(doc.metadata?.component?.purl);
  const visit = (components: RawCdxComponent[] | undefined): void => {
    if (!Array.isArray(components)) return;
    for (const c of components) {
      if (c === null || typeof c !== 'object') continue;
      const node: Node = { purl: purlOf(c.purl) };
      const ref = str(c['bom-ref']);
      if (ref !== null && ref !== rootRef && !nodes.has(ref)) nodes.set(ref, node);
      else if (ref === null) loose.push(node);
      visit(c.components);
    }
  };
  visit(doc.components);
  const edges = new Map<string, string[]>();
  for (const dep of doc.dependencies ?? []) {
    const from = str(dep?.ref);
    if (from === null || !Array.isArray(dep.dependsOn)) continue;
    const key = from === rootRef ? ROOT_KEY : from;
    const list = edges.get(key) ?? [];
    for (const to of dep.dependsOn) {
      const target = str(to);
      if (target !== null && target !== rootRef) list.push(target);
    }
    edges.set(key, list);
  }
  return finish(
    'CycloneDX',
    version,
    bytes,
    nodes,
    loose,
    edges,
    rootPurl === null ? [] : [rootPurl],
    weighting,
  );
}

const DEPENDENCY_OF = /^(?:[A-Z]+_)?DEPENDENCY_OF$/;

function spdxGraph(doc: RawSbom, version: string, bytes: number, weighting: SbomWeighting): SbomGraph {
  const documentId = str(doc.SPDXID) ?? 'SPDXRef-DOCUMENT';
  const nodes = new Map<string, Node>();
  const loose: Node[] = [];
  for (const p of doc.packages ?? []) {
    if (p === null || typeof p !== 'object') continue;
    let purl: string | null = null;
    for (const ref of p.externalRefs ?? []) {
      const category = str(ref?.referenceCategory);
      if (
        (category === 'PACKAGE-MANAGER' || category === 'PACKAGE_MANAGER') &&
        ref.referenceType === 'purl'
      ) {
        purl = purlOf(ref.referenceLocator);
        if (purl !== null) break;
      }
    }
    const id = str(p.SPDXID);
    if (id !== null && !nodes.has(id)) nodes.set(id, { purl });
    else loose.push({ purl });
  }
  const roots = new Set<string>();
  for (const d of doc.documentDescribes ?? []) {
    const id = str(d);
    if (id !== null) roots.add(id);
  }
  const pairs: [string, string][] = [];
  for (const r of doc.relationships ?? []) {
    const a = str(r?.spdxElementId);
    const b = str(r?.relatedSpdxElement);
    const type = str(r?.relationshipType);
    if (a === null || b === null || type === null) continue;
    if (type === 'DESCRIBES' && a === documentId) roots.add(b);
    else if (type === 'DESCRIBED_BY' && b === documentId) roots.add(a);
    else if (type === 'DEPENDS_ON') pairs.push([a, b]);
    else if (DEPENDENCY_OF.test(type)) pairs.push([b, a]);
  }
  const edges = new Map<string, string[]>();
  const addEdge = (from: string, to: string): void => {
    const list = edges.get(from);
    if (list) list.push(to);
    else edges.set(from, [to]);
  };
  for (const [from, to] of pairs) {
    if (roots.has(to)) continue;
    addEdge(roots.has(from) ? ROOT_KEY : from, to);
  }
  const rootPurls: string[] = [];
  for (const id of roots) {
    const node = nodes.get(id);
    if (node) {
      nodes.delete(id);
      if (node.purl !== null) rootPurls.push(node.purl);
    }
  }
  return finish('SPDX', version, bytes, nodes, loose, edges, rootPurls, weighting);
}

function finish(
  format: SbomFormat,
  specVersion: string,
  bytes: number,
  nodes: Map<string, Node>,
  loose: Node[],
  edges: Map<string, string[]>,
  rootPurls: string[],
  weighting: SbomWeighting,
): SbomGraph {
  // Depth 1 = named by the root's own dependencies; deeper or unreachable = transitive.
  const direct = new Set(edges.get(ROOT_KEY) ?? []);
  const excluded = new Set(rootPurls);
  interface Acc {
    direct: boolean;
    occurrences: number;
    dependents: Set<string>;
  }
  const acc = new Map<string, Acc>();
  let components = 0;
  let withoutPurl = 0;
  const add = (purl: string | null, isDirect: boolean): void => {
    components++;
    if (purl === null) {
      withoutPurl++;
      return;
    }
    if (excluded.has(purl)) return;
    const a = acc.get(purl);
    if (a) {
      a.occurrences++;
      if (isDirect) a.direct = true;
    } else acc.set(purl, { direct: isDirect, occurrences: 1, dependents: new Set() });
  };
  for (const [ref, node] of nodes) add(node.purl, direct.has(ref));
  for (const node of loose) add(node.purl, false);
  for (const [from, targets] of edges) {
    const parent = from === ROOT_KEY ? ROOT_KEY : (nodes.get(from)?.purl ?? `\u0000ref:${from}`);
    for (const to of targets) {
      const purl = nodes.get(to)?.purl;
      if (purl === undefined || purl === null || purl === parent) continue;
      acc.get(purl)?.dependents.add(parent);
    }
  }
  const packages: SbomPackage[] = [];
  for (const [purl, a] of acc) {
    packages.push({
      purl,
      direct: a.direct,
      weight: a.direct ? weighting.directWeight : weighting.transitiveWeight,
      dependents: a.dependents.size,
      occurrences: a.occurrences,
    });
  }
  packages.sort(mostDependedOnFirst);
  return { format, specVersion, bytes, components, componentsWithoutPurl: withoutPurl, packages };
}

/** Most dependents first, then heavier (direct) first, then purl in byte order. */
export function mostDependedOnFirst(a: SbomPackage, b: SbomPackage): number {
  return b.dependents - a.dependents || b.weight - a.weight || compareStrings(a.purl, b.purl);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function purlOf(value: unknown): string | null {
  return typeof value === 'string' ? tryVersionlessPurl(value) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function unknownFormat(): ProjectsError {
  return new ProjectsError(
    ProjectsErrorCode.SbomUnknownFormat,
    'not a CycloneDX JSON (bomFormat "CycloneDX") or SPDX JSON (spdxVersion) document',
    { supported: [...SUPPORTED_CYCLONEDX_VERSIONS.map((v) => `CycloneDX ${v}`), ...SUPPORTED_SPDX_VERSIONS] },
  );
}

function unsupported(version: string): ProjectsError {
  return new ProjectsError(
    ProjectsErrorCode.SbomUnsupportedVersion,
    `${version} is not a supported SBOM version`,
    {
      version,
      supported: [...SUPPORTED_CYCLONEDX_VERSIONS.map((v) => `CycloneDX ${v}`), ...SUPPORTED_SPDX_VERSIONS],
    },
  );
}
