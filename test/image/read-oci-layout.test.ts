import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOciImage } from '../../src/host/images.js';
import { readOciLayout } from '../../src/host/oci-layout.js';
import { type BuiltOciLayout, buildOciLayout } from '../support/build-oci-layout.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

/** One layout directory whose index lists the manifests of both `a` and `b`, with the given extras. */
function mergedLayout(extraA: object, extraB: object): { dir: string; a: BuiltOciLayout; b: BuiltOciLayout } {
  const root = makeTempDir();
  const a = buildOciLayout(join(root, 'a'), { cmd: ['a'] });
  const b = buildOciLayout(join(root, 'b'), { cmd: ['b'] });
  cpSync(join(b.dir, 'blobs'), join(a.dir, 'blobs'), { recursive: true });
  const index = JSON.parse(readFileSync(join(a.dir, 'index.json'), 'utf8'));
  const other = JSON.parse(readFileSync(join(b.dir, 'index.json'), 'utf8'));
  index.manifests = [
    { ...index.manifests[0], ...extraA },
    { ...other.manifests[0], ...extraB },
  ];
  writeFileSync(join(a.dir, 'index.json'), JSON.stringify(index));
  return { dir: a.dir, a, b };
}

describe('readOciLayout', () => {
  it('should pick the manifest whose ref.name annotation matches', async () => {
    const ref = (name: string) => ({ annotations: { 'org.opencontainers.image.ref.name': name } });
    const { dir, b } = mergedLayout(ref('1'), ref('2'));

    const image = await readOciLayout(dir, { refNames: ['2'] });

    expect(image.manifestDigest).toBe(b.manifestDigest);
    expect(image.config.cmd).toEqual(['b']);
  });

  it('should pick by the whole reference when that is what the annotation holds', async () => {
    const { pools } = await openTestPools();
    const ref = (name: string) => ({ annotations: { 'org.opencontainers.image.ref.name': name } });
    const { dir, a } = mergedLayout(ref('docker.io/test/app:1'), ref('docker.io/test/app:2'));

    const { digest } = await importOciImage(pools.write, dir, 'docker.io/test/app:1');

    expect(digest).toBe(a.manifestDigest);
  });

  it("should pick the manifest for linux on this machine's architecture", async () => {
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;
    const { dir, a } = mergedLayout(
      { platform: { os: 'linux', architecture: arch } },
      { platform: { os: 'linux', architecture: 's390x' } },
    );

    const image = await readOciLayout(dir);

    expect(image.manifestDigest).toBe(a.manifestDigest);
  });

  it('should refuse an index whose manifests nothing tells apart, naming index.json', async () => {
    expect.assertions(2);
    const { dir } = mergedLayout({}, {});

    const attempt = readOciLayout(dir);

    await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'IMAGE_INVALID' });
    await expect(attempt).rejects.toThrow(`${join(dir, 'index.json')}: lists 2 image manifests`);
  });

  it('should refuse an index whose nested indexes nothing tells apart, naming index.json', async () => {
    expect.assertions(1);
    const { dir } = mergedLayout(
      { mediaType: 'application/vnd.oci.image.index.v1+json' },
      { mediaType: 'application/vnd.oci.image.index.v1+json' },
    );

    await expect(readOciLayout(dir)).rejects.toThrow(`${join(dir, 'index.json')}: lists 2 image manifests`);
  });

  it('should refuse a digest that is not sha256 hex, before touching the file system', async () => {
    expect.assertions(1);
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    const indexFile = join(layout.dir, 'index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.manifests[0].digest = 'sha256:../../../etc/passwd';
    writeFileSync(indexFile, JSON.stringify(index));

    await expect(readOciLayout(layout.dir)).rejects.toThrow(
      `${indexFile}: manifests[0].digest must be "sha256:" and 64 lowercase hex digits`,
    );
  });
});
