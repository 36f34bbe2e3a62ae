// A throwaway certificate for loopback HTTPS tests, made with the openssl CLI at
// test time (nothing is committed): an EC P-256 key and a self-signed certificate
// for the given subject alternative names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { spkiSha256 } from '../../main/door/http-door.js';

export interface TestCert {
  key: string;
  cert: string;
  /** SPKI SHA-256, base64: what a door's pinSha256 holds. */
  pin: string;
}

export function makeTestCert(san = 'IP:127.0.0.1', cn = 'tobira-test-relay'): TestCert {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=${san}`,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certFile, 'utf8');
    const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return { key: readFileSync(keyFile, 'utf8'), cert, pin: spkiSha256(spki) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
