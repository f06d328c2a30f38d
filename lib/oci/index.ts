export { fetchDescriptorText, parseChallenge } from "./fetch";
export type { FetchDescriptorOptions, FetchedDescriptor } from "./fetch";
export { isLoopbackHost, parseOciReference } from "./reference";
export type { OciReference } from "./reference";
export * from "./media-types";
