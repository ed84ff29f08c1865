//! The client's address, as limits, sessions, notices and logs record it:
//! the peer of the connection, unless that peer is a reverse proxy the
//! operator trusts (`[proxy] trusted`). Only then is Rocket's `ip_header`
//! read; with `X-Forwarded-For`, the right-most address that is not a
//! trusted proxy is the client (what a client writes itself sits to the
//! left of what the proxies append, so it cannot choose its address).

use std::net::IpAddr;

use ipnet::IpNet;
use rocket::Request;

use crate::auth::Auth;

/// The header that lists a request's hops, client first.
const FORWARDED_FOR: &str = "X-Forwarded-For";

/// The client address of `request`, worked out once per request; `None`
/// when the connection has no peer address (Rocket's local client).
pub fn client_address(request: &Request<'_>) -> Option<IpAddr> {
    request.local_cache(|| ClientAddress(resolve(request))).0
}

/// Whether `request` comes straight from one of the reverse proxies the
/// operator trusts (`[proxy] trusted`), whose headers may be believed.
pub fn from_trusted_proxy(request: &Request<'_>) -> bool {
    let Some(peer) = request.remote().map(|peer| peer.ip().to_canonical()) else {
        return false;
    };
    let auth = request.rocket().state::<Auth>();
    auth.is_some_and(|auth| is_trusted(&auth.settings().proxy.trusted, peer))
}

/// The request's client address, cached.
struct ClientAddress(Option<IpAddr>);

fn resolve(request: &Request<'_>) -> Option<IpAddr> {
    let peer = request.remote()?.ip().to_canonical();
    let trusted = match request.rocket().state::<Auth>() {
        Some(auth) => &auth.settings().proxy.trusted,
        None => return Some(peer),
    };
    let header = request.rocket().config().ip_header.as_ref();
    let Some(header) = header.filter(|_| is_trusted(trusted, peer)) else {
        return Some(peer);
    };
    if header.as_str().eq_ignore_ascii_case(FORWARDED_FOR) {
        let values: Vec<&str> = request.headers().get(header.as_str()).collect();
        return Some(forwarded_client(trusted, peer, values.into_iter()));
    }
    let named = request.headers().get_one(header.as_str());
    Some(named.and_then(parse).unwrap_or(peer))
}

/// The client of a request from the trusted proxy `peer` whose
/// `X-Forwarded-For` lines are `values`: walking from the right, the first
/// address that is not a trusted proxy. When every address is trusted,
/// the left-most; when one does not read as an address, the hop that
/// added it (the last trusted one).
fn forwarded_client<'a>(
    trusted: &[IpNet],
    peer: IpAddr,
    values: impl DoubleEndedIterator<Item = &'a str>,
) -> IpAddr {
    let mut client = peer;
    let hops = values.rev().flat_map(|value| value.rsplit(','));
    for hop in hops {
        let Some(address) = parse(hop) else {
            return client;
        };
        client = address;
        if !is_trusted(trusted, address) {
            return address;
        }
    }
    client
}

/// `text` as an address, IPv4-mapped IPv6 addresses as IPv4.
fn parse(text: &str) -> Option<IpAddr> {
    text.trim()
        .parse::<IpAddr>()
        .ok()
        .map(|address| address.to_canonical())
}

/// Whether `address` is one of the `trusted` proxies.
fn is_trusted(trusted: &[IpNet], address: IpAddr) -> bool {
    trusted.iter().any(|network| network.contains(&address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn networks(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|network| network.parse().unwrap())
            .collect()
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = networks(&["10.0.0.0/8", "192.0.2.1/32"]);
        let peer = ip("10.0.0.5");
        let cases: [(&[&str], &str); 6] = [
            // nginx appended the address it saw.
            (&["203.0.113.7"], "203.0.113.7"),
            // What the client wrote itself is to the left: ignored.
            (&["198.51.100.1, 203.0.113.7"], "203.0.113.7"),
            // Two trusted proxies, then the client.
            (&["198.51.100.1, 203.0.113.7, 192.0.2.1"], "203.0.113.7"),
            // Several header lines are one list.
            (&["198.51.100.1", "203.0.113.7, 10.1.1.1"], "203.0.113.7"),
            // Every hop trusted: the left-most.
            (&["10.9.9.9, 192.0.2.1"], "10.9.9.9"),
            // Garbage: the hop that added it.
            (&["203.0.113.7, not an address"], "10.0.0.5"),
        ];
        for (values, client) in cases {
            let found = forwarded_client(&trusted, peer, values.iter().copied());
            assert_eq!(found, ip(client), "{values:?}");
        }
        let mapped = forwarded_client(&trusted, peer, ["::ffff:203.0.113.9"].into_iter());
        assert_eq!(mapped, ip("203.0.113.9"));
    }
}
