/** The invite link: this app's URL with `?peers=<this tab's dialable address>`, which connects at start. Pure. */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Query parameters an invite carries over from the page it was made on (so the other tab finds the same relay). */
const KEPT = ['relayHttpPort', 'relay'];

/**
 * The invite link for a page at `pageUrl` whose node has `addresses`, or null while none is dialable. On a
 * page opened on a loopback name, the link uses the LAN address the relay gave this node, so it also works
 * on another device; otherwise the page's own host, and the address on that host when there is one.
 */
export function inviteLink(pageUrl: string, addresses: readonly string[]): string | null {
  const dialable = addresses.filter((a) => a.includes('/p2p-circuit/webrtc/'));
  if (!dialable.length) return null;
  const page = new URL(pageUrl);
  const ipOf = (a: string): string | undefined => /^\/(?:ip4|dns4|dns6|dns)\/([^/]+)\//.exec(a)?.[1];
  let host = page.hostname;
  let address = dialable[0]!;
  if (LOOPBACK.has(page.hostname)) {
    const lan = dialable.find((a) => { const ip = ipOf(a); return ip !== undefined && !ip.startsWith('127.') && !LOOPBACK.has(ip); });
    if (lan) {
      host = ipOf(lan)!;
      address = lan;
    }
  } else {
    address = dialable.find((a) => ipOf(a) === page.hostname) ?? address;
  }
  const link = new URL(page.origin);
  link.hostname = host;
  link.pathname = page.pathname;
  for (const k of KEPT) {
    const v = page.searchParams.get(k);
    if (v !== null) link.searchParams.set(k, v);
  }
  link.searchParams.set('peers', address);
  return link.toString();
}
