import { generate } from 'selfsigned';

/**
 * A self-signed certificate for 127.0.0.1, made in-process (selfsigned 5 builds it with WebCrypto and
 * @peculiar/x509), so the TLS tests need no openssl CLI and always run. MSAL refuses http authorities,
 * so the Bot Connector simulator's token endpoint needs TLS.
 * Like `openssl req -x509` it is its own CA (basicConstraints CA:TRUE): clients trust it by taking the
 * certificate as their CA. node:tls matches an IP host only against an IP subjectAltName, never the CN
 * (https://nodejs.org/api/tls.html#tlscheckserveridentityhostname-cert).
 */
export async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    // selfsigned signs with SHA-1 unless told otherwise, which OpenSSL 3 refuses at its default level.
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 2 * 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
