import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "./tls";

describe("the emulator's self-signed certificate", () => {
  it("always parses (a random serial must never encode as an illegally padded DER integer)", () => {
    // A leading zero byte in the serial happened once in 256 certificates before the fix.
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const certificate = new X509Certificate(createSelfSignedCertificate().cert);
      expect(certificate.subjectAltName).toContain("IP Address:127.0.0.1");
    }
  });
});
