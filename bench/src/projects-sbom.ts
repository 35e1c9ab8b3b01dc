/**
 * A synthetic CycloneDX 1.6 SBOM shaped like cyclonedx-npm's output (bom-refs, purls, licences,
 * hashes, external references, nested dependency graph), and a catalogue of projects some of
 * whose purls it names. Deterministic: the same sizes give the same bytes.
 */
export interface SyntheticSbom {
  readonly buffer: Buffer;
  readonly catalogue: Map<string, string>;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

export function generateSbom(components: number, projects: number, seed = 42): SyntheticSbom {
  const random = rng(seed);
  const hex = (n: number): string => {
    let out = '';
    while (out.length < n)
      out += Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, n);
  };
  const rootRef = 'buyer-app@1.0.0';
  const comps: object[] = [];
  const refs: string[] = [];
  const purls: string[] = [];
  for (let i = 0; i < components; i++) {
    const scoped = i % 4 === 0;
    const name = `package-${i}`;
    const group = scoped ? `@scope-${i % 97}` : undefined;
    const version = `${1 + (i % 7)}.${i % 13}.${i % 5}`;
    const ref = `${rootRef}|${group ? group + '/' : ''}${name}@${version}`;
    const purl = `pkg:npm/${group ? encodeURIComponent(group) + '/' : ''}${name}@${version}`;
    refs.push(ref);
    purls.push(`pkg:npm/${group ? encodeURIComponent(group) + '/' : ''}${name}`);
    comps.push({
      type: 'library',
      name,
      ...(group ? { group } : {}),
      version,
      'bom-ref': ref,
      author: `Author ${i % 300}`,
      description: `A synthetic package number ${i} used to measure the SBOM analysis against JSON.parse.`,
      licenses: [{ license: { id: i % 3 === 0 ? 'Apache-2.0' : 'MIT', acknowledgement: 'declared' } }],
      purl,
      externalReferences: [
        {
          url: `git+https://github.com/example/${name}.git`,
          type: 'vcs',
          comment: 'as detected from PackageJson property "repository.url"',
        },
        {
          url: `https://github.com/example/${name}#readme`,
          type: 'website',
          comment: 'as detected from PackageJson property "homepage"',
        },
        {
          url: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
          type: 'distribution',
          hashes: [{ alg: 'SHA-512', content: hex(128) }],
        },
      ],
      properties: [{ name: 'cdx:npm:package:path', value: `node_modules/${name}` }],
    });
  }
  const dependencies: object[] = [{ ref: rootRef, dependsOn: refs.slice(0, Math.min(60, components)) }];
  for (let i = 0; i < components; i++) {
    const deps = new Set<string>();
    const n = Math.floor(random() * 5);
    for (let k = 0; k < n; k++) {
      const j = Math.floor(random() * components);
      if (j !== i) deps.add(refs[j]);
    }
    dependencies.push({ ref: refs[i], dependsOn: [...deps] });
  }
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    serialNumber: 'urn:uuid:8d1f0f3e-7b8e-4d1a-9d0e-2b8f1c3a4d5e',
    metadata: {
      timestamp: '2026-11-21T00:00:00.000Z',
      tools: { components: [{ type: 'application', name: 'synthetic', version: '1.0.0' }] },
      component: {
        type: 'application',
        name: 'buyer-app',
        version: '1.0.0',
        'bom-ref': rootRef,
        purl: 'pkg:npm/buyer-app@1.0.0',
      },
    },
    components: comps,
    dependencies,
  };
  const catalogue = new Map<string, string>();
  // One project in three of the SBOM's packages is registered; the rest of the catalogue is elsewhere.
  for (let i = 0; i < components && catalogue.size < projects; i += 3)
    catalogue.set(purls[i], `project-${catalogue.size}`);
  for (let i = 0; catalogue.size < projects; i++)
    catalogue.set(`pkg:pypi/other-project-${i}`, `project-${catalogue.size}`);
  return { buffer: Buffer.from(JSON.stringify(bom, null, 2)), catalogue };
}
