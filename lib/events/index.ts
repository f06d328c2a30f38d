export { recordEvent, type EventRecord, type EventSeverity, type NewEvent } from "./record";
export { listEvents, type ListEventsInput } from "./list";
export { tailEvents, latestEventId, DEFAULT_GAP_GRACE_MS, DEFAULT_TAIL_INTERVAL_MS, type TailEventsInput, type TailEventsOptions } from "./tail";
