import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `op_` + a ULID (48-bit milliseconds, 80 random bits, Crockford base32): sorts by creation time. */
export function createOperationId(at: Date): string {
  let time = at.getTime();
  let timePart = "";
  for (let index = 0; index < 10; index++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  let randomPart = "";
  for (let index = 0; index < 16; index++) randomPart += CROCKFORD[random[index]! % 32];
  return `op_${timePart}${randomPart}`;
}
