/**
 * The object store behind the emulated API server: objects of every registered type, one
 * shared resourceVersion counter, change events (for watches and the emulated controllers)
 * and optional persistence to a JSON state file (debounced, written atomically).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { apiVersionOf, RESOURCE_TYPES, type KubeObject, type ResourceType } from "./resources";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

/** `origin` tells the emulated controllers apart from API clients, so a controller ignores its own writes. */
export type StoreEvent = { type: StoreEventType; resource: ResourceType; object: KubeObject; origin: "api" | "controller" };

export type StoreListener = (event: StoreEvent) => void;

const HISTORY_LENGTH = 1000;

type StateFileContent = { resourceVersion: number; objects: KubeObject[] };

function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  const left = objectKey(a.metadata.namespace, a.metadata.name ?? "");
  const right = objectKey(b.metadata.namespace, b.metadata.name ?? "");
  return left < right ? -1 : left > right ? 1 : 0;
}

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private revision = 0;
  private readonly listeners = new Set<StoreListener>();
  /** Recent events, so that a watch from a past resourceVersion can be replayed (as etcd's watch cache does). */
  private readonly history: StoreEvent[] = [];
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly stateFile?: string) {
    for (const type of RESOURCE_TYPES) this.objects.set(typeKey(type), new Map());
  }

  /** Loads the state file when it exists; returns whether anything was loaded. */
  load(): boolean {
    if (!this.stateFile) return false;
    let text: string;
    try {
      text = readFileSync(this.stateFile, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw new Error(`cannot read the Kubernetes emulator state file ${this.stateFile}: ${(error as Error).message}`, { cause: error });
    }
    let content: StateFileContent;
    try {
      content = JSON.parse(text) as StateFileContent;
    } catch (error) {
      throw new Error(`the Kubernetes emulator state file ${this.stateFile} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(content.objects) || typeof content.resourceVersion !== "number") {
      throw new Error(`the Kubernetes emulator state file ${this.stateFile} lacks "objects" or "resourceVersion"`);
    }
    for (const object of content.objects) {
      const type = RESOURCE_TYPES.find((candidate) => apiVersionOf(candidate) === object.apiVersion && candidate.kind === object.kind);
      if (!type || !object.metadata?.name) {
        throw new Error(
          `the Kubernetes emulator state file ${this.stateFile} holds an object this server does not serve: ${String(object.apiVersion)} ${String(object.kind)} "${String(object.metadata?.name)}"`,
        );
      }
      this.objects.get(typeKey(type))!.set(objectKey(object.metadata.namespace, object.metadata.name), object);
    }
    this.revision = content.resourceVersion;
    return true;
  }

  /** The store's current resourceVersion (that of the latest write). */
  currentResourceVersion(): string {
    return String(this.revision);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects.get(typeKey(type))!.get(objectKey(type.namespaced ? namespace : undefined, name));
    return object ? structuredClone(object) : undefined;
  }

  /** Objects of a type, sorted by namespace then name; all namespaces when `namespace` is undefined. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const all = [...this.objects.get(typeKey(type))!.values()];
    const selected = namespace === undefined || !type.namespaced ? all : all.filter((object) => object.metadata.namespace === namespace);
    return selected.sort(compareObjects).map((object) => structuredClone(object));
  }

  /** Stores an object (kind/apiVersion set, a new resourceVersion stamped) and returns a copy. */
  put(type: ResourceType, object: KubeObject, origin: StoreEvent["origin"] = "api"): KubeObject {
    const name = object.metadata.name;
    if (!name) throw new Error(`cannot store a ${type.kind} without metadata.name`);
    const namespace = type.namespaced ? object.metadata.namespace : undefined;
    const bucket = this.objects.get(typeKey(type))!;
    const key = objectKey(namespace, name);
    const existed = bucket.has(key);
    this.revision += 1;
    const stored: KubeObject = { apiVersion: apiVersionOf(type), kind: type.kind, ...structuredClone(object) };
    stored.apiVersion = apiVersionOf(type);
    stored.kind = type.kind;
    stored.metadata.resourceVersion = String(this.revision);
    bucket.set(key, stored);
    this.emit({ type: existed ? "MODIFIED" : "ADDED", resource: type, object: structuredClone(stored), origin });
    return structuredClone(stored);
  }

  /** Removes an object; returns it as it was, or undefined when absent. */
  remove(type: ResourceType, namespace: string | undefined, name: string, origin: StoreEvent["origin"] = "api"): KubeObject | undefined {
    const bucket = this.objects.get(typeKey(type))!;
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const object = bucket.get(key);
    if (!object) return undefined;
    bucket.delete(key);
    this.revision += 1;
    // A deleted object's last state carries the deletion's resourceVersion in watch events.
    const deleted = structuredClone(object);
    deleted.metadata.resourceVersion = String(this.revision);
    this.emit({ type: "DELETED", resource: type, object: structuredClone(deleted), origin });
    return deleted;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes a pending save now (used when closing). */
  flush(): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.save();
    }
  }

  /**
   * Events after `resourceVersion`, oldest first; "expired" when they are no longer in the
   * history (the client must list again, as with a 410 Gone from a real API server).
   */
  eventsSince(resourceVersion: number): StoreEvent[] | "expired" {
    const oldest = this.history[0];
    if (oldest && Number(oldest.object.metadata.resourceVersion) > resourceVersion + 1) return "expired";
    if (!oldest && resourceVersion < this.revision) return "expired";
    return this.history.filter((event) => Number(event.object.metadata.resourceVersion) > resourceVersion).map((event) => ({ ...event, object: structuredClone(event.object) }));
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LENGTH) this.history.shift();
    for (const listener of this.listeners) listener(event);
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 50);
  }

  private save(): void {
    if (!this.stateFile) return;
    const objects: KubeObject[] = [];
    for (const bucket of this.objects.values()) objects.push(...bucket.values());
    const content: StateFileContent = { resourceVersion: this.revision, objects };
    mkdirSync(dirname(this.stateFile), { recursive: true });
    // Write then rename, so a crash never leaves a half-written state file.
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(content), { mode: 0o600 });
    renameSync(temporary, this.stateFile);
  }
}
