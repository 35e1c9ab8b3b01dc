import { isPublicAddress, parseV6 } from './address-policy';

/** The classifier of outbound addresses (issue 15, SSRF): every non-public form is refused. */
describe('isPublicAddress', () => {
  it.each([
    // IPv4: unspecified, private, loopback, link-local, CGNAT, reserved, multicast, broadcast, docs
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT, last'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, other'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private, last'],
    ['192.0.0.8', 'IETF assignments'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking, last'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6 loopback, unspecified, and IPv4 in IPv6
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form (as the URL parser writes it)'],
    ['::FFFF:7F00:0001', 'IPv4-mapped, upper case'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped, long form'],
    ['::ffff:8.8.8.8', 'IPv4-mapped, even of a public address'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['::7f00:1', 'IPv4-compatible, hex'],
    ['64:ff9b::7f00:1', 'NAT64 well-known prefix'],
    ['64:ff9b::8.8.8.8', 'NAT64 of a public address'],
    ['64:ff9b:1::a00:1', 'NAT64 local-use prefix'],
    ['2002:7f00:1::1', '6to4 embedding 127.0.0.1'],
    ['2002:a9fe:a9fe::', '6to4 embedding 169.254.169.254'],
    ['2002:c0a8:101::1', '6to4 embedding 192.168.1.1'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001::1', 'Teredo prefix'],
    ['2001:2::1', 'benchmarking'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['100::1', 'discard-only'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local, last'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['ff05::2', 'multicast'],
    ['not an address', 'unparsable'],
    ['localhost', 'a name'],
    ['', 'empty'],
  ])('%s is refused (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    ['93.184.215.14', 'example.com'],
    ['8.8.8.8', 'public resolver'],
    ['1.1.1.1', 'public resolver'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['198.17.255.255', 'just below benchmarking'],
    ['223.255.255.255', 'just below multicast'],
    ['2606:4700::1111', 'Cloudflare'],
    ['2a00:1450:4007:80e::200e', 'Google'],
    ['2002:808:808::1', '6to4 embedding 8.8.8.8'],
    ['2400:cb00::1', 'global unicast'],
  ])('%s is public (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('reads every textual form of an IPv6 address to the same value', () => {
    expect(parseV6('::ffff:127.0.0.1')).toBe(parseV6('::ffff:7f00:1'));
    expect(parseV6('0:0:0:0:0:ffff:7f00:1')).toBe(parseV6('::ffff:7f00:1'));
    expect(parseV6('::1')).toBe(1n);
    expect(parseV6('::')).toBe(0n);
    expect(parseV6('2001:db8::')).toBe(0x20010db8n << 96n);
  });
});
