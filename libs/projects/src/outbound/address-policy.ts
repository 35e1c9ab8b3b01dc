import { isIP } from 'node:net';

/**
 * Which IP addresses the server may fetch a maintainer's URL from: only globally reachable
 * unicast ones. IPv4 follows the IANA special-purpose registry (RFC 6890 and successors); IPv6
 * is an allow-list (global unicast 2000::/3) minus the special ranges inside it, and every form
 * that embeds or reaches an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged by
 * that address or refused. Anything unparsable is refused.
 */
export function isPublicAddress(address: string): boolean {
  const ip = address.trim().toLowerCase();
  if (ip.includes('%')) return false; // a zone index: link-local by construction
  const version = isIP(ip);
  if (version === 4) return isPublicV4(parseV4(ip));
  if (version === 6) return isPublicV6(parseV6(ip));
  return false;
}

export function isNonPublicAddress(address: string): boolean {
  return !isPublicAddress(address);
}

/** [network, prefix length] pairs of IPv4 ranges that are not globally reachable. */
const V4_NON_PUBLIC: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // AS112 direct delegation
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

/** IPv6 ranges inside 2000::/3 that are not globally reachable unicast. */
const V6_NON_PUBLIC_IN_GLOBAL: readonly (readonly [string, number])[] = [
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID…
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

function parseV4(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4(value: number, [network, prefix]: readonly [string, number]): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(value / size) === Math.floor(parseV4(network) / size);
}

function isPublicV4(value: number): boolean {
  return !V4_NON_PUBLIC.some((range) => inV4(value, range));
}

/** The 128-bit value of an IPv6 address in any textual form (`::`, embedded dotted IPv4). */
export function parseV6(ip: string): bigint {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.length !== 8) throw new Error(`not an IPv6 address: ${ip}`);
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function inV6(value: bigint, network: string, prefix: number): boolean {
  const shift = BigInt(128 - prefix);
  return value >> shift === parseV6(network) >> shift;
}

function embeddedV4(value: bigint, shift: bigint): number {
  return Number((value >> shift) & 0xffffffffn);
}

function isPublicV6(value: bigint): boolean {
  // 6to4 (2002::/16) carries an IPv4 address in bits 16–47: public only if that address is.
  if (inV6(value, '2002::', 16)) return isPublicV4(embeddedV4(value, 80n));
  // Only global unicast; this also refuses ::, ::1, IPv4-mapped ::ffff:0:0/96, IPv4-compatible
  // ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, discard 100::/64, unique-local fc00::/7,
  // link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8.
  if (!inV6(value, '2000::', 3)) return false;
  return !V6_NON_PUBLIC_IN_GLOBAL.some(([network, prefix]) => inV6(value, network, prefix));
}
