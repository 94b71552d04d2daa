/**
 * Runs one Zapier event through an unpacked build.zip as Zapier's Lambda does: a fresh Node process loads the zip's
 * own zapierwrapper.js (and through it the zip's index.js, dist/ and node_modules) and awaits its handler.
 * zip.test.ts forks it; plain JavaScript because it runs outside jest and its TypeScript transform.
 *
 * DingTalk is nock, taken from the project (the zip has no devDependencies): it answers each route once, records
 * what DingTalk received, and refuses every other connection.
 * Message in:  { zipDir, event, routes: [{ method, url, reply }] }  (url with its exact query)
 * Message out: { results } or { error }, with { received: [{ method, url, token, body }], pending: [...] }
 */
const path = require('node:path');
const nock = require('nock');

process.once('message', async ({ zipDir, event, routes }) => {
  nock.disableNetConnect();
  const received = [];
  for (const { method, url, reply } of routes) {
    const { origin, pathname, searchParams } = new URL(url);
    nock(origin)
      .intercept(pathname, method)
      .query(Object.fromEntries(searchParams))
      .reply(function (uri, body) {
        received.push({ method, url: new URL(uri, origin).href, token: this.req.headers['x-acs-dingtalk-access-token'], body });
        return [200, reply];
      });
  }
  let outcome;
  try {
    const { handler } = require(path.join(zipDir, 'zapierwrapper.js'));
    outcome = { results: (await handler(event)).results };
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error) };
  }
  process.send({ ...outcome, received, pending: nock.pendingMocks() }, () => process.exit(0));
});
