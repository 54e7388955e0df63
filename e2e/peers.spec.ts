import { expect, test, type Browser, type Page } from '@playwright/test';
import { connectTo, dialableAddress, openApp, peerIdOf, peerItem, uniqueNode } from './fixtures.js';
import { startRelayProcess } from './relay-process.js';

async function connectPair(a: Page, b: Page): Promise<{ idA: string; idB: string }> {
  const addrA = await dialableAddress(a);
  const idA = await peerIdOf(a);
  const idB = await peerIdOf(b);
  await dialableAddress(b);
  await connectTo(b, addrA);
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  await expect(peerItem(a, idB)).toContainText('direct', { timeout: 30_000 });
  return { idA, idB };
}

test('two tabs of one browser connect by pasted address, both list each other as direct; reload clears', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openApp(a, uniqueNode('pa'));
  await openApp(b, uniqueNode('pb'));
  const { idA, idB } = await connectPair(a, b);
  await expect(peerItem(b, idA)).toContainText(/\d+(\.\d+)? ms/, { timeout: 15_000 });
  // Each address has a copy button; the dialable one also has a QR code.
  const first = a.getByRole('list', { name: 'Listen addresses' }).getByRole('listitem').first();
  await first.getByRole('button', { name: 'Copy address' }).click();
  await expect(first).toContainText('copied');
  await a.getByText('QR code of the invite link').click();
  await expect(a.getByRole('img', { name: 'QR code of the invite link' })).toBeVisible();
  const idBefore = idB;
  await b.reload();
  await expect(b.getByRole('button', { name: 'Add collection' })).toBeVisible();
  expect(await peerIdOf(b)).toBe(idBefore); // the peer key is persisted per node
  await expect(b.getByRole('list', { name: 'Active peers' })).toHaveCount(0);
  await expect(b.getByText('No peers connected')).toBeVisible();
  await expect(peerItem(a, idB)).toHaveCount(0, { timeout: 20_000 });
});

test('two separate browser contexts connect; Disconnect ends it on both sides', async ({ browser }: { browser: Browser }) => {
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  await openApp(a, 'node1');
  await openApp(b, 'node1'); // same name, other browser profile: another node
  const { idA, idB } = await connectPair(a, b);
  expect(idA).not.toBe(idB);
  await peerItem(a, idB).getByRole('button', { name: 'Disconnect' }).click();
  await expect(peerItem(a, idB)).toHaveCount(0);
  await expect(peerItem(b, idA)).toHaveCount(0, { timeout: 5_000 }); // told at once, not after a transport timeout
  await ctxA.close();
  await ctxB.close();
});

test('"Copy invite link" copies a link that, opened in another browser, connects to this tab at start', async ({ context, browser }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const a = await context.newPage();
  await openApp(a, uniqueNode('inv'));
  const idA = await peerIdOf(a);
  await a.getByRole('button', { name: 'Copy invite link' }).click();
  await expect(a.getByRole('status').filter({ hasText: 'copied' })).toBeVisible();
  const link = await a.evaluate(() => navigator.clipboard.readText());
  const u = new URL(link);
  expect(u.searchParams.get('peers')).toMatch(new RegExp(`/p2p-circuit/webrtc/p2p/${idA}$`));
  expect(u.port).toBe(new URL(a.url()).port);
  // Another browser (as another device would) opens the link: it picks its own node and connects at start.
  const other = await browser.newContext();
  try {
    const b = await other.newPage();
    await b.goto(link);
    await expect(b.getByRole('button', { name: 'Add collection' })).toBeVisible();
    await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
  } finally {
    await other.close();
  }
});

test('?peers= connects at start', async ({ context }) => {
  const a = await context.newPage();
  await openApp(a, uniqueNode('sa'));
  const addrA = await dialableAddress(a);
  const idA = await peerIdOf(a);
  const b = await context.newPage();
  await openApp(b, uniqueNode('sb'), { peers: addrA });
  await expect(peerItem(b, idA)).toContainText('direct', { timeout: 30_000 });
});

test('bad addresses get specific alerts and change nothing', async ({ context }) => {
  const a = await context.newPage();
  await openApp(a, uniqueNode('bad'));
  const own = await dialableAddress(a);
  const relayAddr = own.slice(0, own.indexOf('/p2p-circuit'));
  const cases: Array<[string, RegExp]> = [
    ['hello world', /not a multiaddress/],
    ['/ip4/127.0.0.1/tcp/9190/ws', /no \/p2p\/<PeerID>/],
    ['/ip4/1.2.3/tcp/1/p2p/x', /not a valid multiaddress|not a valid PeerID/],
    [own, /this node's own address/],
    [relayAddr, /relay's address, not a peer's/],
    // A well-formed address of a peer that has no slot on the relay: unreachable.
    [`${relayAddr}/p2p-circuit/webrtc/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo`, /could not connect/],
  ];
  const form = a.getByRole('form', { name: 'Connect to a peer' });
  for (const [text, message] of cases) {
    await connectTo(a, text);
    await expect(form.getByRole('alert')).toContainText(message, { timeout: 45_000 });
    await expect(a.getByRole('list', { name: 'Active peers' })).toHaveCount(0);
  }
});

test('relay down at start: the tab works locally, retries, reserves when the relay comes back; direct links survive the relay', async ({ context }) => {
  test.setTimeout(120_000);
  const port = 9290;
  const httpPort = 9291;
  const a = await context.newPage();
  await openApp(a, uniqueNode('down'), { relayHttpPort: String(httpPort) });
  await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toContainText('unreachable', { timeout: 15_000 });
  await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toContainText('keeps working locally');
  await a.getByRole('textbox', { name: 'Collection schema' }).fill('type Note { text: String }');
  await a.getByRole('button', { name: 'Add collection' }).click();
  await expect(a.getByRole('list', { name: 'Collections' }).getByRole('button', { name: 'Note', exact: true })).toBeVisible();

  const relay = await startRelayProcess(port, httpPort);
  try {
    await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toContainText('connected to the relay', { timeout: 30_000 });
    await dialableAddress(a);
    const b = await context.newPage();
    await openApp(b, uniqueNode('down-b'), { relayHttpPort: String(httpPort) });
    const { idA, idB } = await connectPair(a, b);
    // Let the direct connection settle first (just after an upgrade a duplicate may still be closing): each
    // side has pinged the other over it.
    await expect(peerItem(a, idB)).toContainText(/\d+(\.\d+)? ms/, { timeout: 15_000 });
    await expect(peerItem(b, idA)).toContainText(/\d+(\.\d+)? ms/, { timeout: 15_000 });
    await relay.stop();
    await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toContainText(/unreachable|lost the relay/, { timeout: 20_000 });
    await b.waitForTimeout(2000);
    await expect(peerItem(a, idB)).toContainText('direct');
    await expect(peerItem(b, idA)).toContainText('direct');
    const again = await startRelayProcess(port, httpPort, relay.dataDir);
    try {
      await expect(a.getByRole('status').filter({ hasText: 'Relay:' })).toContainText('connected to the relay', { timeout: 40_000 });
      await dialableAddress(a);
    } finally {
      await again.stop();
    }
  } finally {
    await relay.stop();
  }
});
