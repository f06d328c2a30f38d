import type { Actor, CoreContext } from "../context";
import type { Role } from "./roles";

/** What the auth core needs: the database, the clock and a logger (a CoreContext satisfies it). */
export type AuthContext = Pick<CoreContext, "db" | "clock" | "logger">;

/** Who is calling, once credentials are checked. `role` is the effective role of this call. */
export type Caller =
  | { kind: "user"; userId: number; username: string; role: Role; sessionId: string }
  | { kind: "token"; userId: number; username: string; role: Role; tokenId: number; tokenName: string };

/** The actor recorded on operations, events and the audit log for this caller. */
export function actorOf(caller: Caller): Actor {
  return caller.kind === "user"
    ? { kind: "user", name: caller.username, userId: caller.userId }
    : { kind: "token", name: caller.username, tokenId: caller.tokenId };
}
