/**
 * Run by transport.test.ts in a child process started with NODE_EXTRA_CA_CERTS (read only at start)
 * naming the test's self-signed certificate: fetches `url` twice with SDL's transport and with
 * Node's fetch, prints the outcomes as JSON.
 */
import { nodeFetch } from '../../src/shared/transport.js';

const url = process.argv[2]!;
const out: unknown[] = [];
for (const f of [nodeFetch, fetch]) {
  for (let i = 0; i < 2; i++) {
    const res = await f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    out.push({ status: res.status, body: await res.text(), type: res.headers.get('content-type') });
  }
}
process.stdout.write(JSON.stringify(out));
