/**
 * The media types an OCI image layout may use, by role. Docker's schema 2 types are accepted next to
 * the OCI ones because `docker save` and several registries still emit them.
 *
 * @example
 * ```ts
 * OCI_MEDIA_TYPES.manifest.includes(descriptor.mediaType);
 * ```
 */
export const OCI_MEDIA_TYPES = {
  index: [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ],
  manifest: [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ],
  config: ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'],
  layer: [
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ],
} as const satisfies Record<string, readonly string[]>;

/**
 * Whether a layer media type is gzip-compressed (so its `diff_id` is the digest after gunzip).
 *
 * @example
 * ```ts
 * isGzipLayer('application/vnd.oci.image.layer.v1.tar+gzip'); // true
 * ```
 */
export function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip');
}
