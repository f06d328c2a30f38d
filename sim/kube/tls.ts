/**
 * A throwaway self-signed certificate for the emulator, and a listener that speaks plain HTTP
 * and TLS on one port. TLS is needed because Go clients (kubectl, helm) never send a bearer
 * token over plain http (client-go sets credentials for TLS transports only, kubectl#744).
 * The certificate is built with a minimal DER encoder: node:crypto signs but cannot build X.509.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { Server as HttpServer } from "node:http";

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

const sequence = (...content: Buffer[]) => der(0x30, ...content);
const set = (...content: Buffer[]) => der(0x31, ...content);

function objectIdentifier(oid: string): Buffer {
  const parts = oid.split(".").map(Number);
  const bytes = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  const trimmed = bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return der(0x02, trimmed);
}

/** 16 random bytes whose first byte is non-zero: DER integers must be minimal, so a leading 0x00 would be illegal padding. */
function randomSerialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return der(0x17, Buffer.from(text, "ascii"));
}

function commonName(name: string): Buffer {
  return sequence(set(sequence(objectIdentifier("2.5.4.3"), der(0x0c, Buffer.from(name, "utf8")))));
}

export type Certificate = { key: string; cert: string };

/** A self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost, valid for a year. */
export function createSelfSignedCertificate(commonNameText = "karmada-apiserver"): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaWithSha256 = sequence(objectIdentifier("1.2.840.10045.4.3.2"));
  const now = Date.now();
  const subjectAltName = sequence(
    objectIdentifier("2.5.29.17"),
    der(0x04, sequence(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from("localhost", "ascii")))),
  );
  const serverAuth = sequence(objectIdentifier("2.5.29.37"), der(0x04, sequence(objectIdentifier("1.3.6.1.5.5.7.3.1"))));
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    positiveInteger(randomSerialNumber()),
    ecdsaWithSha256,
    commonName(commonNameText),
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 365 * 24 * 3600_000))),
    commonName(commonNameText),
    publicKey.export({ type: "spki", format: "der" }),
    der(0xa3, sequence(subjectAltName, serverAuth)),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const body = certificate.toString("base64").replace(/(.{64})/g, "$1\n").trim();
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n` };
}

/**
 * One TCP listener that hands each connection to the TLS server when its first byte opens a
 * TLS handshake (0x16) and to the plain HTTP server otherwise.
 */
export function createDualProtocolListener(plain: HttpServer, secure: HttpServer): NetServer {
  return createNetServer((socket: Socket) => {
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === 0x16 ? secure : plain).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
    socket.on("error", () => socket.destroy());
  });
}
