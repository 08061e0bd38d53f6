// A real RFC 3161 Time-Stamping Authority for tests: `openssl ts -reply` behind a small node:http
// server on 127.0.0.1, with a CA and a TSA certificate (critical extendedKeyUsage timeStamping)
// generated here by openssl, and an openssl ts config file written here.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TsaPki {
  dir: string;
  /** CA certificate (PEM file). */
  caCert: string;
  /** TSA signing certificate (PEM file). */
  tsaCert: string;
  tsaKey: string;
  /** TSA certificate followed by the CA certificate (PEM file). */
  chain: string;
  /** openssl ts config. */
  config: string;
}

/** Makes a CA and a TSA certificate it issues. `eku: 'none' | 'noncritical'` makes a bad TSA certificate. */
export async function makeTsaPki(options: { name?: string; eku?: 'critical' | 'noncritical' | 'none' } = {}): Promise<TsaPki> {
  const dir = await mkdtemp(join(tmpdir(), 'rp-tsa-'));
  const name = options.name ?? 'Test TSA';
  const p = (f: string): string => join(dir, f);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '30', '-subj', `/CN=${name} Root CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('tsa.key'), '-out', p('tsa.csr'), '-subj', `/CN=${name}`]);
  const eku = options.eku ?? 'critical';
  const ext = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  if (eku === 'critical') ext.push('extendedKeyUsage=critical,timeStamping');
  if (eku === 'noncritical') ext.push('extendedKeyUsage=timeStamping');
  await writeFile(p('tsa.ext'), `${ext.join('\n')}\n`);
  await run('openssl', ['x509', '-req', '-in', p('tsa.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('tsa.pem'), '-days', '30', '-extfile', p('tsa.ext')]);
  await writeFile(p('chain.pem'), `${await readFile(p('tsa.pem'), 'utf8')}${await readFile(p('ca.pem'), 'utf8')}`);
  await writeFile(p('serial'), '01\n');
  await writeFile(
    p('ts.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'other_policies = 1.2.3.4.5',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  return { dir, caCert: p('ca.pem'), tsaCert: p('tsa.pem'), tsaKey: p('tsa.key'), chain: p('chain.pem'), config: p('ts.cnf') };
}

/** Signs a DER TimeStampReq with openssl ts -reply: the DER TimeStampResp. */
export async function opensslReply(pki: TsaPki, query: Buffer): Promise<Buffer> {
  const dir = await mkdtemp(join(pki.dir, 'q-'));
  await writeFile(join(dir, 'q.tsq'), query);
  await run('openssl', ['ts', '-reply', '-config', pki.config, '-queryfile', join(dir, 'q.tsq'), '-inkey', pki.tsaKey, '-signer', pki.tsaCert, '-out', join(dir, 'r.tsr')]);
  return readFile(join(dir, 'r.tsr'));
}

export interface TsaServer {
  url: string;
  /** Requests received (DER TimeStampReq bodies). */
  requests: Buffer[];
  close(): Promise<void>;
}

/** Serves `openssl ts -reply` at http://127.0.0.1:PORT/tsr (POST application/timestamp-query). */
export async function startTsaServer(pki: TsaPki): Promise<TsaServer> {
  const requests: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(415).end();
        return;
      }
      requests.push(body);
      opensslReply(pki, body).then(
        (reply) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/tsr`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
