export { recordEvent, type EventRecord, type EventSeverity, type NewEvent } from "./record";
export { listEvents, type ListEventsInput } from "./list";
