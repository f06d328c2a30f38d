/** Media types of the OCI image/distribution specs and of HDAR descriptor artifacts. */

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

/**
 * The artifact type SMO Console gives the HDAR descriptor artifacts it pushes. hdarctl's own
 * media types are not published; the fetcher therefore accepts any tar+gzip or YAML layer.
 */
export const HDAR_ARTIFACT_TYPE = "application/vnd.nephele.hdar.v1+json";

export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(", ");

/** A gzip-compressed tarball layer, whatever the artifact (OCI image layer, Helm chart, HDAR, …). */
export function isTarGzipMediaType(mediaType: string): boolean {
  return /(?:\.tar\+gzip|\.tar\.gzip|\+tar\+gzip|\.tar\.gz|\.tgz)$/i.test(mediaType) || mediaType === "application/gzip" || mediaType === "application/x-gzip" || mediaType === "application/tar+gzip";
}

/** A layer holding the YAML (or JSON) text itself. */
export function isPlainDescriptorMediaType(mediaType: string): boolean {
  return /^(?:application|text)\/(?:x-)?yaml$/i.test(mediaType) || /\+yaml$/i.test(mediaType) || mediaType === "application/json";
}
