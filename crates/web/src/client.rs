//! The caller's address, the key of the per-address limits. Behind a reverse proxy every request
//! comes from the proxy, so `STERK_TRUSTED_PROXIES` (CIDRs) names the proxies whose header is
//! believed: `X-Forwarded-For`, or `Forwarded` with `STERK_FORWARDED_HEADER=forwarded` (only
//! the one the proxy writes: a proxy passes the other through from the client untouched). The
//! client is the rightmost address in that chain that is not itself a trusted proxy. From anyone
//! else the headers are ignored, so a visitor cannot pick their own key. An IPv6 client is keyed
//! by its /64, since one host commonly holds a whole /64.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// A network in CIDR notation (`10.0.0.0/8`, `::1/128`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub(crate) net: IpAddr,
    pub(crate) prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let bad = || format!("\"{s}\" is geen IP-adres of netwerk (bijvoorbeeld 10.0.0.0/8 of ::1)");
        let (ip, prefix) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let net: IpAddr = ip.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { net, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip, bits) = match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(n.to_bits()), u128::from(i.to_bits()), 32),
            (IpAddr::V6(n), IpAddr::V6(i)) => (n.to_bits(), i.to_bits(), 128),
            (IpAddr::V6(n), IpAddr::V4(i)) => (n.to_bits(), i.to_ipv6_mapped().to_bits(), 128),
            (IpAddr::V4(n), IpAddr::V6(i)) => match i.to_ipv4_mapped() {
                Some(i) => (u128::from(n.to_bits()), u128::from(i.to_bits()), 32),
                None => return false,
            },
        };
        let host_bits = bits - u32::from(self.prefix);
        host_bits >= bits || (net >> host_bits) == (ip >> host_bits)
    }
}

/// Which header the trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

impl FromStr for ForwardedHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<ForwardedHeader, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            other => Err(format!("\"{other}\" is geen kopregel die Sterk leest; kies x-forwarded-for of forwarded")),
        }
    }
}

/// `STERK_TRUSTED_PROXIES`: CIDRs separated by commas or spaces.
pub fn parse_list(s: &str) -> Result<Vec<Cidr>, String> {
    s.split([',', ' ']).filter(|p| !p.trim().is_empty()).map(Cidr::from_str).collect()
}

/// The client's address as the rate limits key it.
pub fn address(peer: Option<IpAddr>, headers: &HeaderMap, (trusted, header): (&[Cidr], ForwardedHeader)) -> String {
    let Some(peer) = peer else { return String::new() };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return key(peer);
    }
    let chain = forwarded_chain(headers, header);
    let client = chain.iter().rev().find_map(|hop| match hop.parse::<IpAddr>() {
        Ok(ip) if is_trusted(ip) => None,
        Ok(ip) => Some(key(ip)),
        Err(_) => Some(hop.clone()), // "unknown" or an obfuscated name: set by the proxy, a key all the same
    });
    client.unwrap_or_else(|| key(peer))
}

/// An IPv4 address as it is (also when mapped into IPv6); an IPv6 address by its /64.
fn key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let net = std::net::Ipv6Addr::from_bits(v6.to_bits() & (u128::MAX << 64));
            format!("{net}/64")
        }
        v4 => v4.to_string(),
    }
}

/// The hops the proxy's header names, leftmost first: `Forwarded: for=…` (RFC 7239) or
/// `X-Forwarded-For`.
fn forwarded_chain(headers: &HeaderMap, header: ForwardedHeader) -> Vec<String> {
    let values = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    };
    match header {
        ForwardedHeader::Forwarded => values("forwarded")
            .iter()
            .flat_map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.trim().split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then(|| node(v))
                })
            })
            .collect(),
        ForwardedHeader::XForwardedFor => {
            values("x-forwarded-for").iter().flat_map(|v| v.split(',').map(node).collect::<Vec<_>>()).collect()
        }
    }
}

/// A node without quotes, brackets or port: `"[2001:db8::1]:4711"` → `2001:db8::1`.
fn node(raw: &str) -> String {
    let v = raw.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    match v.split_once(':') {
        Some((ip, port)) if !port.contains(':') => ip.to_owned(),
        _ => v.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cidrs_contain_their_addresses() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()) && !net.contains("11.0.0.1".parse().unwrap()));
        assert!("::1".parse::<Cidr>().unwrap().contains("::1".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!("127.0.0.1".parse::<Cidr>().unwrap().contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err() && "proxy".parse::<Cidr>().is_err());
        assert_eq!(parse_list("10.0.0.0/8, ::1").unwrap().len(), 2);
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let (xff_proxy, fwd_proxy) =
            ((&trusted[..], ForwardedHeader::XForwardedFor), (&trusted[..], ForwardedHeader::Forwarded));
        let proxy = Some("10.0.0.5".parse().unwrap());
        let stranger = Some("203.0.113.9".parse().unwrap());
        let xff = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.4")]);
        assert_eq!(address(proxy, &xff, xff_proxy), "198.51.100.7", "the rightmost untrusted hop");
        assert_eq!(address(stranger, &xff, xff_proxy), "203.0.113.9", "a stranger cannot choose its key");
        assert_eq!(address(proxy, &xff, (&[], ForwardedHeader::XForwardedFor)), "10.0.0.5", "no trusted proxies");
        let fwd = headers(&[("forwarded", "for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\";proto=https")]);
        assert_eq!(address(proxy, &fwd, fwd_proxy), "2001:db8:cafe::/64", "an IPv6 client by its /64");
        // A proxy that writes X-Forwarded-For passes a client's own Forwarded through: not read.
        let both = headers(&[("forwarded", "for=6.6.6.6"), ("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(address(proxy, &both, xff_proxy), "198.51.100.7");
        assert_eq!(address(proxy, &HeaderMap::new(), xff_proxy), "10.0.0.5");
        assert_eq!(address(None, &xff, xff_proxy), "");
        assert_eq!(address(Some("::ffff:192.0.2.1".parse().unwrap()), &xff, xff_proxy), "192.0.2.1");
        assert!("proxy".parse::<ForwardedHeader>().is_err());
    }
}
