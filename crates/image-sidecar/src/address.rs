//! Which IP addresses count as the public internet. A redirect may only lead there: global
//! unicast addresses, nothing else. Loopback, private, link-local (the cloud metadata server at
//! 169.254.169.254), shared, reserved, documentation, translation and tunnel ranges would let a
//! picture source make the sidecar probe the pod's own network.
//!
//! An allow-list rather than a list of what to refuse: IPv6 outside global unicast (2000::/3)
//! is refused whatever it is, so a range nobody listed is closed, not open. The ranges refused
//! inside the allowed blocks are those of IANA's special-purpose registries that are not
//! globally reachable (or not meant to be fetched from, like anycast relays).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 ranges that are not global unicast: (network, prefix length, what it is).
const NOT_GLOBAL_V4: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "this network"),
    ([10, 0, 0, 0], 8, "private"),
    ([100, 64, 0, 0], 10, "shared address space (carrier NAT)"),
    ([127, 0, 0, 0], 8, "loopback"),
    ([169, 254, 0, 0], 16, "link-local, the metadata server"),
    ([172, 16, 0, 0], 12, "private"),
    ([192, 0, 0, 0], 24, "IETF protocol assignments"),
    ([192, 0, 2, 0], 24, "documentation"),
    ([192, 31, 196, 0], 24, "AS112 anycast"),
    ([192, 52, 193, 0], 24, "AMT relay anycast"),
    ([192, 88, 99, 0], 24, "6to4 relay anycast (deprecated)"),
    ([192, 168, 0, 0], 16, "private"),
    ([192, 175, 48, 0], 24, "AS112 direct delegation"),
    ([198, 18, 0, 0], 15, "benchmarking"),
    ([198, 51, 100, 0], 24, "documentation"),
    ([203, 0, 113, 0], 24, "documentation"),
    ([224, 0, 0, 0], 4, "multicast"),
    ([240, 0, 0, 0], 4, "reserved, and the broadcast address"),
];

/// Ranges inside global unicast (2000::/3) that are not global unicast either.
const NOT_GLOBAL_V6: &[([u16; 8], u8, &str)] = &[
    // Teredo (2001::/32), benchmarking, ORCHID and ORCHIDv2 (2001:20::/28), drone tags, AMT,
    // AS112 and the PCP/TURN anycasts: identifiers and relays, none a place to fetch from.
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "IETF protocol assignments"),
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation"),
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"),
];

pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let ip = u32::from(ip);
    !NOT_GLOBAL_V4.iter().any(|&(network, length, _)| within(ip.into(), u32::from_be_bytes(network).into(), 32, length))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // An IPv4 address written as IPv6 (::ffff:a.b.c.d, the NAT64 prefix 64:ff9b::/96, 6to4
    // 2002:aabb:ccdd::/48) is reached over IPv4: it is judged as that address.
    if let Some(v4) = ip.to_ipv4_mapped().or_else(|| nat64_embedded(ip)).or_else(|| six_to_four_embedded(ip)) {
        return is_public_v4(v4);
    }
    let ip = u128::from(ip);
    let global_unicast = within(ip, 0x2000_u128 << 112, 128, 3);
    global_unicast
        && !NOT_GLOBAL_V6
            .iter()
            .any(|&(network, length, _)| within(ip, u128::from(Ipv6Addr::from(network)), 128, length))
}

/// Whether `ip` is in `network`/`length`, both `bits` wide.
fn within(ip: u128, network: u128, bits: u32, length: u8) -> bool {
    let host_bits = bits - u32::from(length);
    ip.checked_shr(host_bits).unwrap_or(0) == network.checked_shr(host_bits).unwrap_or(0)
}

/// The IPv4 address inside the well-known NAT64 prefix 64:ff9b::/96 (RFC 6052), reached through
/// a translator. The local-use prefix 64:ff9b:1::/48 is not global and not read here.
fn nat64_embedded(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let octets = ip.octets();
    (octets[..12] == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])
        .then(|| Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]))
}

fn six_to_four_embedded(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let octets = ip.octets();
    (octets[..2] == [0x20, 0x02]).then(|| Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "2002:7f00:1::",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b:1::a9fe:a9fe",
            "100::1",
        ] {
            assert!(!public(address), "{address} must not count as public");
        }
    }

    /// Ranges that a list of what to refuse had let through.
    #[test]
    fn translated_relay_and_identifier_ranges_are_not_public() {
        for address in [
            // IPv4-translated IPv6 (::ffff:0:0:0/96, SIIT), even of a public IPv4 address.
            "::ffff:0:808:808",
            "::ffff:0:7f00:1",
            "::ffff:0:0:0",
            // The deprecated 6to4 relay anycast, 192.88.99.0/24, and as 6to4 or mapped.
            "192.88.99.1",
            "192.88.99.255",
            "2002:c058:6301::",
            "::ffff:192.88.99.1",
            // ORCHIDv2 (2001:20::/28), ORCHID (2001:10::/28), benchmarking (2001:2::/48), the
            // rest of the IETF block 2001::/23 and the anycasts inside it.
            "2001:20::1",
            "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:10::1",
            "2001:2::1",
            "2001:1::1",
            "2001:3::1",
            "2001:1ff:ffff::1",
            // Other IPv4 anycasts and documentation ranges.
            "192.31.196.1",
            "192.52.193.1",
            "192.175.48.1",
            "3fff::1",
            "3fff:fff:ffff::1",
            // Outside 2000::/3: nothing there is global unicast.
            "4000::1",
            "5f00::1",
            "1fff:ffff::1",
            "fe00::1",
        ] {
            assert!(!public(address), "{address} must not count as public");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for address in [
            "1.1.1.1",
            "151.101.1.91",
            "172.32.0.1",
            "100.128.0.1",
            "192.88.98.255",
            "192.88.100.0",
            "198.20.0.1",
            "223.255.255.254",
            "2606:4700::1111",
            "2001:200::1",
            "2001:4860:4860::8888",
            "2a00:1450:4001::1",
            "3ffe::1",
            "3fff:1000::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(address), "{address} is on the internet");
        }
    }

    #[test]
    fn prefix_arithmetic_at_the_edges() {
        assert!(within(0, 0, 32, 0), "a /0 holds everything");
        assert!(within(u128::MAX, u128::MAX, 128, 128));
        assert!(!within(0x2000_u128 << 112, 0x2001_u128 << 112, 128, 16));
        assert!(within(0x2001_01ff_u128 << 96, 0x2001_u128 << 112, 128, 23));
        assert!(!within(0x2001_0200_u128 << 96, 0x2001_u128 << 112, 128, 23));
    }
}
