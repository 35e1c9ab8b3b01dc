import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { seededPolicy } from '../../../test/fixtures/sbom/seeded-policy';
import { selfSbomPath, spdxExamplePath } from '../../../test/fixtures/sbom/self-sbom';
import { ProjectsErrorCode } from './projects.errors';
import { tryVersionlessPurl } from './purl';
import { analyseSbom, analyseSbomGraph, SbomWeighting } from './sbom-analysis';
import { bufferChunks } from './sbom-reader';

let weighting: SbomWeighting;
beforeAll(async () => {
  weighting = (await seededPolicy()).sbom;
});

const chunks = (text: string, size = 64 * 1024) => bufferChunks(Buffer.from(text), size);

interface CdxComponent {
  'bom-ref'?: string;
  purl?: string;
  components?: CdxComponent[];
}

function flatten(components: CdxComponent[] | undefined, out: CdxComponent[] = []): CdxComponent[] {
  for (const c of components ?? []) {
    out.push(c);
    flatten(c.components, out);
  }
  return out;
}

describe('SBOM analysis of this repository (CycloneDX by cyclonedx-npm)', () => {
  let bytes: Buffer;
  let doc: {
    specVersion: string;
    metadata: { component: CdxComponent };
    components: CdxComponent[];
    dependencies: { ref: string; dependsOn?: string[] }[];
  };
  beforeAll(() => {
    bytes = readFileSync(selfSbomPath());
    doc = JSON.parse(bytes.toString('utf8'));
  }, 180_000);

  it('reduces every component to its versionless purl and finds the direct dependencies', async () => {
    const rootPurl = tryVersionlessPurl(doc.metadata.component.purl!);
    const all = flatten(doc.components);
    const expectedPurls = new Set(
      all
        .map((c) => tryVersionlessPurl(c.purl ?? ''))
        .filter((p): p is string => p !== null && p !== rootPurl),
    );
    const byRef = new Map(all.map((c) => [c['bom-ref'], tryVersionlessPurl(c.purl ?? '')]));
    const rootDeps =
      doc.dependencies.find((d) => d.ref === doc.metadata.component['bom-ref'])!.dependsOn ?? [];
    const expectedDirect = new Set(rootDeps.map((r) => byRef.get(r)).filter((p): p is string => !!p));

    const graph = await analyseSbomGraph(bufferChunks(bytes), weighting);
    expect(graph.format).toBe('CycloneDX');
    expect(graph.specVersion).toBe(doc.specVersion);
    expect(graph.bytes).toBe(bytes.byteLength);
    expect(graph.components).toBe(all.length);
    expect(new Set(graph.packages.map((p) => p.purl))).toEqual(expectedPurls);
    expect(new Set(graph.packages.filter((p) => p.direct).map((p) => p.purl))).toEqual(expectedDirect);
    expect(graph.packages.find((p) => p.purl === 'pkg:npm/%40nestjs/core')).toMatchObject({
      direct: true,
      weight: weighting.directWeight,
    });
    for (const p of graph.packages)
      expect(p.weight).toBe(p.direct ? weighting.directWeight : weighting.transitiveWeight);
  });

  it('suggests directions to the registered projects, with exact coverage', async () => {
    const graph = await analyseSbomGraph(bufferChunks(bytes), weighting);
    const transitive = graph.packages.find((p) => !p.direct)!;
    const catalogue = new Map([
      ['pkg:npm/%40nestjs/core', 'nest'],
      ['pkg:npm/%40nestjs/common', 'nest'],
      ['pkg:npm/typeorm', 'typeorm'],
      [transitive.purl, 'some-transitive'],
      ['pkg:pypi/not-in-this-sbom', 'elsewhere'],
    ]);
    const sut = await analyseSbom(bufferChunks(bytes, 4096), weighting, catalogue);
    expect(sut.directions).toEqual([
      { projectId: 'nest', weight: 2 * weighting.directWeight },
      { projectId: 'typeorm', weight: weighting.directWeight },
      { projectId: 'some-transitive', weight: weighting.transitiveWeight },
    ]);
    expect(sut.coverage.componentsMatched).toBe(4);
    expect(sut.coverage.componentsTotal).toBe(graph.packages.length);
    expect(sut.coverage.weightMatched).toBe(3 * weighting.directWeight + weighting.transitiveWeight);
    expect(sut.coverage.weightTotal).toBe(graph.packages.reduce((s, p) => s + p.weight, 0));
    expect(sut.unmatched).toHaveLength(graph.packages.length - 4);
    for (let i = 1; i < sut.unmatched.length; i++) {
      const [a, b] = [sut.unmatched[i - 1], sut.unmatched[i]];
      expect(
        a.dependents > b.dependents ||
          (a.dependents === b.dependents &&
            (a.weight > b.weight || (a.weight === b.weight && a.purl < b.purl))),
      ).toBe(true);
    }
  });
});

describe('SBOM analysis of the SPDX 2.3 example published by the SPDX project', () => {
  it('reads its packages and purls; described packages are the root', async () => {
    const text = readFileSync(spdxExamplePath(), 'utf8');
    const sut = await analyseSbom(
      chunks(text, 1000),
      weighting,
      new Map([['pkg:maven/org.apache.jena/apache-jena', 'jena']]),
    );
    expect(sut.format).toBe('SPDX');
    expect(sut.specVersion).toBe('SPDX-2.3');
    // glibc (SPDXRef-Package) is described by the document: the root. Jena, Commons Lang, Saxon remain.
    expect(sut.components).toBe(3);
    expect(sut.componentsWithoutPurl).toBe(2);
    expect(sut.packages).toEqual([
      {
        purl: 'pkg:maven/org.apache.jena/apache-jena',
        direct: false,
        weight: weighting.transitiveWeight,
        dependents: 0,
        occurrences: 1,
        projectId: 'jena',
      },
    ]);
    expect(sut.directions).toEqual([{ projectId: 'jena', weight: weighting.transitiveWeight }]);
    expect(sut.coverage).toEqual({
      componentsMatched: 1,
      componentsTotal: 1,
      weightMatched: 1,
      weightTotal: 1,
    });
  });
});

function spdxDoc(relationships: [string, string, string][], extra: Record<string, unknown> = {}): string {
  const pkg = (id: string, purl?: string) => ({
    SPDXID: id,
    name: id,
    downloadLocation: 'NOASSERTION',
    licenseConcluded: 'NOASSERTION',
    ...(purl
      ? {
          externalRefs: [
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
          ],
        }
      : {}),
  });
  return JSON.stringify({
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'buyer-app',
    documentNamespace: 'https://example.org/spdx/buyer-app',
    creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: test'] },
    packages: [
      pkg('SPDXRef-app', 'pkg:npm/buyer-app@1.0.0'),
      pkg('SPDXRef-a', 'pkg:npm/a@1.0.0'),
      pkg('SPDXRef-b', 'pkg:npm/b@2.0.0'),
      pkg('SPDXRef-c', 'pkg:npm/c@3.0.0'),
      {
        ...pkg('SPDXRef-c2'),
        externalRefs: [
          {
            referenceCategory: 'PACKAGE_MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:npm/c@4.0.0',
          },
        ],
      },
    ],
    relationships: relationships.map(([a, t, b]) => ({
      spdxElementId: a,
      relationshipType: t,
      relatedSpdxElement: b,
    })),
    ...extra,
  });
}

describe('depth and weights', () => {
  it('SPDX: DESCRIBES gives the root, DEPENDS_ON and DEPENDENCY_OF give the depth', async () => {
    const text = spdxDoc([
      ['SPDXRef-DOCUMENT', 'DESCRIBES', 'SPDXRef-app'],
      ['SPDXRef-app', 'DEPENDS_ON', 'SPDXRef-a'],
      ['SPDXRef-b', 'DEPENDENCY_OF', 'SPDXRef-app'],
      ['SPDXRef-a', 'DEPENDS_ON', 'SPDXRef-c'],
      ['SPDXRef-c2', 'DEV_DEPENDENCY_OF', 'SPDXRef-b'],
      ['SPDXRef-b', 'DEPENDS_ON', 'SPDXRef-c2'],
    ]);
    const sut = await analyseSbom(
      chunks(text, 7),
      { directWeight: 5, transitiveWeight: 2, maxBytes: 1 << 20 },
      new Map([['pkg:npm/c', 'c-project']]),
    );
    expect(
      sut.packages.map(({ purl, direct, weight, dependents, occurrences }) => ({
        purl,
        direct,
        weight,
        dependents,
        occurrences,
      })),
    ).toEqual([
      { purl: 'pkg:npm/c', direct: false, weight: 2, dependents: 2, occurrences: 2 },
      { purl: 'pkg:npm/a', direct: true, weight: 5, dependents: 1, occurrences: 1 },
      { purl: 'pkg:npm/b', direct: true, weight: 5, dependents: 1, occurrences: 1 },
    ]);
    expect(sut.unmatched.map((p) => p.purl)).toEqual(['pkg:npm/a', 'pkg:npm/b']);
    expect(sut.coverage).toEqual({
      componentsMatched: 1,
      componentsTotal: 3,
      weightMatched: 2,
      weightTotal: 12,
    });
  });

  it('SPDX: documentDescribes also names the root', async () => {
    const text = spdxDoc([['SPDXRef-app', 'DEPENDS_ON', 'SPDXRef-a']], {
      documentDescribes: ['SPDXRef-app'],
    });
    const sut = await analyseSbomGraph(chunks(text), weighting);
    expect(sut.packages.find((p) => p.purl === 'pkg:npm/a')?.direct).toBe(true);
    expect(sut.packages.some((p) => p.purl === 'pkg:npm/buyer-app')).toBe(false);
  });

  const cdx = (specVersion: string) =>
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion,
      metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app', purl: 'pkg:npm/app@1' } },
      components: [
        {
          type: 'library',
          name: 'a',
          'bom-ref': 'a',
          purl: 'pkg:npm/a@1',
          description: { nested: [1, 2, { x: 'y' }] },
        },
        {
          type: 'library',
          name: 'b',
          'bom-ref': 'b',
          purl: 'pkg:npm/b@1',
          components: [{ type: 'library', name: 'inner', 'bom-ref': 'inner', purl: 'pkg:npm/inner@1' }],
        },
        { type: 'library', name: 'noref', purl: 'pkg:npm/noref@1' },
        { type: 'library', name: 'nopurl', 'bom-ref': 'nopurl' },
        { type: 'library', name: 'bad', 'bom-ref': 'bad', purl: 'not a purl' },
      ],
      dependencies: [
        { ref: 'app', dependsOn: ['a'] },
        { ref: 'a', dependsOn: ['b', 'nopurl'] },
        { ref: 'b', dependsOn: ['inner'] },
      ],
    });

  it.each(['1.4', '1.5', '1.6', '1.7'])(
    'CycloneDX %s: depth from dependencies, nested components counted',
    async (v) => {
      const sut = await analyseSbomGraph(chunks(cdx(v), 3), weighting);
      expect(sut.components).toBe(6);
      expect(sut.componentsWithoutPurl).toBe(2);
      expect(sut.packages.map((p) => [p.purl, p.direct, p.dependents])).toEqual([
        ['pkg:npm/a', true, 1],
        ['pkg:npm/b', false, 1],
        ['pkg:npm/inner', false, 1],
        ['pkg:npm/noref', false, 0],
      ]);
    },
  );

  it('gives the same result whatever the chunking, and weights add up (property)', async () => {
    const text = cdx('1.6');
    const reference = await analyseSbom(
      chunks(text),
      weighting,
      new Map([
        ['pkg:npm/b', 'p1'],
        ['pkg:npm/inner', 'p1'],
        ['pkg:npm/a', 'p2'],
      ]),
    );
    expect(reference.directions).toEqual(
      [
        { projectId: 'p1', weight: 2 * weighting.transitiveWeight },
        { projectId: 'p2', weight: weighting.directWeight },
      ].sort((x, y) => y.weight - x.weight || (x.projectId < y.projectId ? -1 : 1)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        async (size, dw, tw) => {
          const w = { directWeight: dw, transitiveWeight: tw, maxBytes: 1 << 20 };
          const sut = await analyseSbom(
            chunks(text, size),
            w,
            new Map([
              ['pkg:npm/b', 'p1'],
              ['pkg:npm/inner', 'p1'],
              ['pkg:npm/a', 'p2'],
            ]),
          );
          expect(new Set(sut.packages.map((p) => p.purl))).toEqual(
            new Set(reference.packages.map((p) => p.purl)),
          );
          expect(sut.coverage.weightTotal).toBe(dw + 3 * tw);
          expect(sut.directions.reduce((s, d) => s + d.weight, 0)).toBe(sut.coverage.weightMatched);
          expect(sut.coverage.weightMatched).toBe(dw + 2 * tw);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('decodes multi-byte characters split across chunks and skips a byte-order mark', async () => {
    const text = '\uFEFF' + cdx('1.5').replace('"name":"a"', '"name":"añé€😀"');
    const sut = await analyseSbomGraph(bufferChunks(Buffer.from(text), 1), weighting);
    expect(sut.packages).toHaveLength(4);
  });
});

describe('bad SBOMs', () => {
  const expectCode = async (text: string, code: ProjectsErrorCode, maxBytes = 1 << 20) => {
    await expect(analyseSbomGraph(chunks(text, 5), { ...weighting, maxBytes })).rejects.toMatchObject({
      code,
    });
  };

  it('malformed JSON', async () => {
    await expectCode(
      '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [',
      ProjectsErrorCode.SbomMalformed,
    );
    await expectCode('{"a": }', ProjectsErrorCode.SbomMalformed);
    await expectCode('', ProjectsErrorCode.SbomMalformed);
    await expect(
      analyseSbomGraph(bufferChunks(Buffer.from([0x7b, 0xff, 0x7d])), weighting),
    ).rejects.toMatchObject({ code: ProjectsErrorCode.SbomMalformed });
  });

  it('unknown format', async () => {
    await expectCode('[1, 2]', ProjectsErrorCode.SbomUnknownFormat);
    await expectCode('"text"', ProjectsErrorCode.SbomUnknownFormat);
    await expectCode('{"name": "package.json"}', ProjectsErrorCode.SbomUnknownFormat);
    await expectCode('{"bomFormat": "SWID"}', ProjectsErrorCode.SbomUnknownFormat);
  });

  it('unsupported versions', async () => {
    await expectCode(
      '{"bomFormat": "CycloneDX", "specVersion": "1.3", "components": []}',
      ProjectsErrorCode.SbomUnsupportedVersion,
    );
    await expectCode('{"bomFormat": "CycloneDX"}', ProjectsErrorCode.SbomUnsupportedVersion);
    await expectCode('{"spdxVersion": "SPDX-2.2", "packages": []}', ProjectsErrorCode.SbomUnsupportedVersion);
    await expectCode('{"spdxVersion": "SPDX-3.0"}', ProjectsErrorCode.SbomUnsupportedVersion);
  });

  it('over the size limit, without reading the rest', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[');
      for (;;) {
        read++;
        yield Buffer.from('{"type":"library","name":"x","purl":"pkg:npm/x@1"},');
      }
    }
    await expect(analyseSbomGraph(endless(), { ...weighting, maxBytes: 10_000 })).rejects.toMatchObject({
      code: ProjectsErrorCode.SbomTooLarge,
    });
    expect(read).toBeLessThan(300);
  });
});
