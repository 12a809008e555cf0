//! What a request says about the client: its address and its browser.

use axum::http::{header, Extensions, HeaderMap};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The browser, as its `User-Agent` names it (kept with each login).
pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// What a login keeps of the browser that made or renewed it, so that the security page can
/// tell devices apart (docs/SECURITY.md, "Devices"): the browser its `User-Agent` names, and
/// the client's address as the server resolved it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Client<'a> {
    pub user_agent: Option<&'a str>,
    pub address: Option<IpAddr>,
}

impl<'a> Client<'a> {
    /// The client of the request these headers and extensions belong to.
    pub fn of(headers: &'a HeaderMap, extensions: &Extensions) -> Self {
        Client {
            user_agent: user_agent(headers),
            address: client_ip(extensions),
        }
    }
}

/// The client's address, as the HTTP layer resolved it for this request ([`resolve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The address the request came from (absent when the request did not come over a socket).
pub fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions.get::<ClientAddr>().map(|c| c.0)
}

/// Who the client is (docs/SECURITY.md, "Behind a proxy"): the socket's peer, unless the peer
/// is one of the `trusted` proxies; then the right-most address of `X-Forwarded-For` that is
/// not a trusted proxy. Each proxy appends the address it received the request from, so what
/// lies left of the first untrusted hop was written by the client and proves nothing.
/// `None` when that hop is not an address at all.
pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&canonical(ip)));
    let peer = canonical(peer.ip());
    if !is_trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = canonical(parse_hop(hop)?);
        if !is_trusted(client) {
            break;
        }
    }
    Some(client)
}

/// An address as a proxy writes it: `192.0.2.1`, `2001:db8::1`, with or without a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// An IPv4 address mapped into IPv6 (a dual-stack socket) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    const PROXY: &str = "10.0.0.5:41000";

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            resolve(PROXY.parse().unwrap(), &headers, &[]),
            Some("10.0.0.5".parse().unwrap())
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/24", "192.168.1.1/32"]);
        let peer = PROXY.parse().unwrap();
        // The client forged the first entry; the proxy appended the address it saw.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9"]);
        assert_eq!(
            resolve(peer, &headers, &trusted),
            Some("203.0.113.9".parse().unwrap())
        );
        // Two proxies, in two header lines, the second one trusted too.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "192.168.1.1"]);
        assert_eq!(
            resolve(peer, &headers, &trusted),
            Some("203.0.113.9".parse().unwrap())
        );
        // With a port, and IPv6.
        let headers = forwarded(&["[2001:db8::7]:5555"]);
        assert_eq!(
            resolve(peer, &headers, &trusted),
            Some("2001:db8::7".parse().unwrap())
        );
        // No header: the proxy itself.
        assert_eq!(
            resolve(peer, &HeaderMap::new(), &trusted),
            Some("10.0.0.5".parse().unwrap())
        );
        // Garbage where the client's address should be: unknown, never the proxy's.
        let headers = forwarded(&["1.2.3.4, not-an-address"]);
        assert_eq!(resolve(peer, &headers, &trusted), None);
    }

    #[test]
    fn a_mapped_ipv4_peer_is_matched_as_ipv4() {
        let trusted = nets(&["10.0.0.5/32"]);
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            resolve("[::ffff:10.0.0.5]:80".parse().unwrap(), &headers, &trusted),
            Some("203.0.113.9".parse().unwrap())
        );
    }
}
